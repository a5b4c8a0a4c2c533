using GraphQL;
using GraphQL.Types;
using GraphQL.Validation;
using GraphQLParser.AST;
using Imail.Api.Auth;

namespace Imail.Api.Schema;

/// <summary>
/// Who may use a field. A field declares its roles, or inherits those of its type; a field that
/// declares nothing is refused to everyone (default deny). Checked before execution, so a
/// refused document runs nothing.
/// </summary>
public static class Access
{
    private const string Key = "imail:allow";

    /// <summary>Allows the given roles (<see cref="Roles.Anyone"/> for everybody, anonymous included).</summary>
    public static T Allow<T>(this T target, params string[] roles) where T : IMetadataWriter
    {
        target.Metadata[Key] = roles;
        return target;
    }

    public static T AllowAnyone<T>(this T target) where T : IMetadataWriter => target.Allow(Roles.Anyone);

    /// <summary>
    /// Whoever may use this field may read everything it returns: for a mutation whose caller
    /// just created the object (sign-up) and owns it, though its type is not public.
    /// </summary>
    public static T GrantsResult<T>(this T target) where T : IMetadataWriter
    {
        target.Metadata[GrantKey] = true;
        return target;
    }

    private const string GrantKey = "imail:grants-result";

    internal static bool Grants(IMetadataReader field) => field.GetMetadata(GrantKey, false);

    internal static string[]? AllowedRoles(IMetadataReader? target) =>
        target?.GetMetadata<string[]>(Key);
}

/// <summary>The validation rule that enforces <see cref="Access"/> declarations.</summary>
public sealed class AccessValidationRule : ValidationRuleBase
{
    public override ValueTask<INodeVisitor?> GetPreNodeVisitorAsync(ValidationContext context)
    {
        var grantedDepth = 0; // > 0 while inside a field that grants its result
        return new(new MatchingNodeVisitor<GraphQLField>((node, ctx) =>
        {
            if (grantedDepth > 0)
            {
                grantedDepth++;
                return;
            }
            var name = node.Name.StringValue;
            // Introspection is public: the IDE and code generators need it (its fields and those of its types).
            if (name.StartsWith("__", StringComparison.Ordinal)) return;
            if ((ctx.TypeInfo.GetParentType()?.GetNamedType() as IGraphType)?.Name.StartsWith("__", StringComparison.Ordinal) == true) return;
            var field = ctx.TypeInfo.GetFieldDef();
            if (field is null) return; // unknown fields are reported by the spec's own rules
            var parent = ctx.TypeInfo.GetParentType()?.GetNamedType() as IMetadataReader;
            var roles = Access.AllowedRoles(field) ?? Access.AllowedRoles(parent);
            var user = ctx.User;
            var signedIn = user?.Identity?.IsAuthenticated == true;
            if (roles is not null && (roles.Contains(Roles.Anyone) || signedIn && roles.Any(user!.IsInRole)))
            {
                if (Access.Grants(field)) grantedDepth = 1;
                return;
            }

            var where = $"{(parent as IGraphType)?.Name}.{name}";
            ctx.ReportError(signedIn || roles is null
                ? new AccessError("ACCESS_DENIED", $"You may not use '{where}'.", ctx, node)
                : new AccessError("AUTH_NOT_AUTHENTICATED", $"'{where}' needs a signed-in caller: send an Authorization: Bearer token.", ctx, node));
        }, (_, _) =>
        {
            if (grantedDepth > 0) grantedDepth--;
        }));
    }

    public sealed class AccessError : ValidationError
    {
        public AccessError(string code, string message, ValidationContext ctx, ASTNode node)
            : base(ctx.Document.Source, code, message, node) => Code = code;
    }
}
