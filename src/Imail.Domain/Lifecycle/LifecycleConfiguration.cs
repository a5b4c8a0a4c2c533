using Imail.Domain.DataCategories;
using Imail.Domain.Persistence;
using Imail.Domain.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Imail.Domain.Lifecycle;

internal sealed class StaffActionConfiguration : IEntityTypeConfiguration<StaffAction>
{
    public void Configure(EntityTypeBuilder<StaffAction> action)
    {
        action.HasDefaultDataCategory(DataCategoryCodes.SecurityLogs);
        action.HasKey(a => a.Id);
        action.Property(a => a.Id).ValueGeneratedNever();
        action.Property(a => a.Actor).HasMaxLength(200);
        action.Property(a => a.Action).HasConversion<string>().HasMaxLength(40);
        action.Property(a => a.Reason).HasMaxLength(StaffAction.ReasonMaxLength);
        action.Property(a => a.Details).HasColumnType("jsonb");
        action.HasIndex(a => new { a.Subject, a.At });
        action.HasIndex(a => a.At); // security-log-purge
    }
}

internal sealed class ErasureRecordConfiguration : IEntityTypeConfiguration<ErasureRecord>
{
    public void Configure(EntityTypeBuilder<ErasureRecord> erasure)
    {
        erasure.ToTable("erasures");
        erasure.HasDefaultDataCategory(DataCategoryCodes.SecurityLogs);
        erasure.HasKey(e => e.Id);
        erasure.Property(e => e.Id).ValueGeneratedNever();
        erasure.Property(e => e.Reason).HasConversion<string>().HasMaxLength(16);
        erasure.Property(e => e.ByRole).HasMaxLength(16);
        erasure.Property(e => e.ByActor).HasMaxLength(200);
        erasure.Property(e => e.Rows).HasColumnType("jsonb");
        erasure.HasIndex(e => e.ErasedAt);
        erasure.HasIndex(e => e.Subject);
    }
}

internal sealed class DeletionRequestConfiguration : IEntityTypeConfiguration<DeletionRequest>
{
    public void Configure(EntityTypeBuilder<DeletionRequest> request)
    {
        request.HasDefaultDataCategory(DataCategoryCodes.SecurityLogs);
        request.KeptAnonymizedAtErasure();
        request.HasKey(r => r.Id);
        request.Property(r => r.Id).ValueGeneratedNever();
        request.Property(r => r.UserId).HasDataCategory(DataCategoryCodes.Account);
        request.Property(r => r.Requester).HasMaxLength(DeletionRequest.RequesterMaxLength).HasDataCategory(DataCategoryCodes.Contact);
        request.Property(r => r.CodeHash).HasMaxLength(64).HasDataCategory(DataCategoryCodes.Contact);
        request.Property(r => r.CodeExpiresAt).HasDataCategory(DataCategoryCodes.Contact);
        request.Property(r => r.Channel).HasConversion<string>().HasMaxLength(16);
        request.Property(r => r.State).HasConversion<string>().HasMaxLength(24);
        request.Property(r => r.RecordedBy).HasMaxLength(200);
        request.Property(r => r.ExtensionReason).HasMaxLength(StaffAction.ReasonMaxLength);
        request.Property(r => r.CancelReason).HasMaxLength(StaffAction.ReasonMaxLength);
        request.Property(r => r.Version).IsRowVersion();
        // Closing or erasing keeps the request, without the account.
        request.HasOne<User>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.SetNull);
        // At most one open request per account: a second ask finds the first.
        request.HasIndex(r => r.UserId).IsUnique().HasFilter("state IN ('AwaitingConfirmation', 'Pending')").HasDatabaseName("ix_deletion_requests_open_user");
        request.HasIndex(r => r.DueAt).HasFilter("state = 'Pending'").HasDatabaseName("ix_deletion_requests_due");
        request.HasIndex(r => r.ClosedAt).HasFilter("closed_at IS NOT NULL"); // security-log-purge
    }
}

internal sealed class AnonymousConsentProofConfiguration : IEntityTypeConfiguration<AnonymousConsentProof>
{
    public void Configure(EntityTypeBuilder<AnonymousConsentProof> proof)
    {
        proof.HasDefaultDataCategory(DataCategoryCodes.ConsentProofs);
        proof.HoldsNoIdentifier();
        proof.HasKey(p => p.Id);
        proof.Property(p => p.Id).ValueGeneratedNever();
        proof.Property(p => p.Action).HasMaxLength(16);
        proof.Property(p => p.PolicyVersion).HasMaxLength(Consents.DecisionContext.MaxLength);
        proof.Property(p => p.BannerVersion).HasMaxLength(Consents.DecisionContext.MaxLength);
        proof.Property(p => p.FrontEnd).HasMaxLength(Consents.DecisionContext.MaxLength);
        proof.HasIndex(p => p.DecidedOn); // consent-proof-purge
    }
}
