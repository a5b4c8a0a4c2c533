using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Domain.Consents;

namespace Imail.Api.Consents;

public sealed class ConsentRecordType : ObjectGraphType<ConsentRecord>
{
    public ConsentRecordType()
    {
        Name = "ConsentRecord";
        Description = "Proof of one consent decision (P5), immutable, category `consent_proofs`. Readable by the person (through `me`) and by staff.";
        Field<NonNullGraphType<IdGraphType>>("id").Description("The record's id; also the receipt's `receiptId`.").Resolve(ctx => ctx.Source.Id);
        Field<NonNullGraphType<ConsentActionType>>("action").Description("A decision or a withdrawal.").Resolve(ctx => ctx.Source.Action);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("decidedAt").Description("When the decision was made.").Resolve(ctx => ctx.Source.DecidedAt);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<ConsentPurposeType>>>>("granted")
            .Description("The purposes granted after this decision.").Resolve(ctx => ctx.Source.Granted.Select(ConsentPurposes.Parse));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<ConsentPurposeType>>>>("refused")
            .Description("The purposes refused after this decision.").Resolve(ctx => ctx.Source.Refused.Select(ConsentPurposes.Parse));
        Field<NonNullGraphType<StringGraphType>>("policyVersion").Description("The privacy policy version shown.").Resolve(ctx => ctx.Source.PolicyVersion);
        Field<NonNullGraphType<StringGraphType>>("bannerVersion").Description("The banner text version shown.").Resolve(ctx => ctx.Source.BannerVersion);
        Field<NonNullGraphType<StringGraphType>>("frontEnd").Description("The front-end that collected the decision.").Resolve(ctx => ctx.Source.FrontEnd);
        Field<IdGraphType>("visitorId").Description("The device's visitor id, if any.").Resolve(ctx => ctx.Source.VisitorId);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("firstDepositAt").Description("The first deposit of the period this decision belongs to.").Resolve(ctx => ctx.Source.FirstDepositAt);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("expiresAt").Description("The end of that period.").Resolve(ctx => ctx.Source.ExpiresAt);
        Field<NonNullGraphType<IntGraphType>>("sequence").Description("Position in the receipt chain of this device (or account), from 1.").Resolve(ctx => ctx.Source.Sequence);
        Field<NonNullGraphType<StringGraphType>>("hash").Description("SHA-256 (hex) of the receipt payload.").Resolve(ctx => ctx.Source.Hash);
        Field<StringGraphType>("previousHash").Description("The hash of the previous receipt of the chain; null for the first.").Resolve(ctx => ctx.Source.PreviousHash);
        Field<NonNullGraphType<StringGraphType>>("receipt")
            .Description("The consent receipt: a compact JWS (ES256) whose payload is the receipt JSON (controller, principal, purposes, timestamps, expiry, versions, previous hash). Check it with `verifyConsentReceipt` or with the key of `consentReceiptKey`.")
            .Resolve(ctx => ctx.Source.Receipt);
        this.Allow(Roles.User, Roles.Staff);
    }
}

public sealed class ConsentRecordConnectionType() : ConnectionType<ConsentRecordType, ConsentRecord>("ConsentRecord");

public sealed class ReceiptVerificationType : ObjectGraphType<ReceiptVerification>
{
    public ReceiptVerificationType()
    {
        Name = "ConsentReceiptVerification";
        Description = "What checking a consent receipt found.";
        Field<NonNullGraphType<BooleanGraphType>>("valid").Description("Every check passed.").Resolve(ctx => ctx.Source.Valid);
        Field<NonNullGraphType<BooleanGraphType>>("signatureValid").Description("The receipt carries Imail's signature and was not altered.").Resolve(ctx => ctx.Source.SignatureValid);
        Field<NonNullGraphType<BooleanGraphType>>("recordFound").Description("The record the receipt names is still kept.").Resolve(ctx => ctx.Source.RecordFound);
        Field<NonNullGraphType<BooleanGraphType>>("recordIntact").Description("The stored record still says exactly what the receipt says.").Resolve(ctx => ctx.Source.RecordIntact);
        Field<NonNullGraphType<BooleanGraphType>>("chainIntact").Description("The record links to its predecessor's hash, and its successor to its own.").Resolve(ctx => ctx.Source.ChainIntact);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("problems")
            .Description("Codes of the failed checks: SIGNATURE_INVALID, MALFORMED_RECEIPT, RECORD_NOT_FOUND, RECORD_ALTERED, CHAIN_BROKEN.")
            .Resolve(ctx => ctx.Source.Problems);
        Field<DateTimeOffsetGraphType>("decidedAt").Description("When the recorded decision was made, if the record was found.").Resolve(ctx => ctx.Source.Record?.DecidedAt);
        this.AllowAnyone();
    }
}

public sealed class ReceiptKeyType : ObjectGraphType<ReceiptSigner>
{
    public ReceiptKeyType()
    {
        Name = "ConsentReceiptKey";
        Description = "The public key consent receipts are signed with (ES256), to check a receipt without asking Imail.";
        Field<NonNullGraphType<StringGraphType>>("keyId").Description("The JWS `kid` (RFC 7638 thumbprint).").Resolve(ctx => ctx.Source.KeyId);
        Field<NonNullGraphType<StringGraphType>>("jwk").Description("The public key as a JSON Web Key.").Resolve(ctx => ctx.Source.PublicJwk);
        Field<NonNullGraphType<StringGraphType>>("pem").Description("The public key as PEM (SubjectPublicKeyInfo).").Resolve(ctx => ctx.Source.PublicPem);
        this.AllowAnyone();
    }
}
