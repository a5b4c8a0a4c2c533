using Imail.Domain.DataCategories;
using Imail.Domain.Persistence;
using Imail.Domain.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Imail.Domain.Consents;

internal sealed class ConsentConfiguration : IEntityTypeConfiguration<Consent>
{
    public void Configure(EntityTypeBuilder<Consent> consent)
    {
        // The current state of a consent is part of its proof: same category, same retention.
        consent.HasDefaultDataCategory(DataCategoryCodes.ConsentProofs);
        consent.HasKey(c => c.Id);
        consent.Property(c => c.Id).ValueGeneratedNever();
        consent.Property(c => c.VisitorId).RefersToDevice();
        consent.Property(c => c.EndReason).HasConversion<string>().HasMaxLength(16);
        consent.HasOne<User>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
        // One current period per party (an account, or a device's anonymous visitor): racing first decisions cannot open two.
        consent.HasIndex(c => c.VisitorId).IsUnique().HasFilter("ended_at IS NULL AND user_id IS NULL").HasDatabaseName("ix_consents_current_visitor");
        consent.HasIndex(c => c.UserId).IsUnique().HasFilter("ended_at IS NULL").HasDatabaseName("ix_consents_current_user");
        // The period in force when none is current: the last one that ended (it says "renew", P5).
        consent.HasIndex(c => new { c.UserId, c.FirstDepositAt }).HasDatabaseName("ix_consents_user_latest");
        consent.HasIndex(c => new { c.VisitorId, c.FirstDepositAt }).HasDatabaseName("ix_consents_visitor_latest"); // also consent-proof-purge's device check
        consent.HasIndex(c => c.ExpiresAt).HasFilter("ended_at IS NULL").HasDatabaseName("ix_consents_expiring");
        consent.HasIndex(c => c.FirstDepositAt).HasFilter("ended_at IS NOT NULL").HasDatabaseName("ix_consents_ended_first_deposit"); // consent-proof-purge
        consent.Property(c => c.Version).IsRowVersion();
        consent.HasMany(c => c.Choices).WithOne().HasForeignKey(c => c.ConsentId).OnDelete(DeleteBehavior.Cascade);
        consent.Navigation(c => c.Choices).AutoInclude();
    }
}

internal sealed class ConsentChoiceConfiguration : IEntityTypeConfiguration<ConsentChoice>
{
    public void Configure(EntityTypeBuilder<ConsentChoice> choice)
    {
        choice.HasDefaultDataCategory(DataCategoryCodes.ConsentProofs);
        choice.ToTable("consent_choices");
        choice.HasKey(c => new { c.ConsentId, c.Purpose });
        choice.Property(c => c.Purpose).HasConversion<string>().HasMaxLength(32);
    }
}

internal sealed class ConsentRecordConfiguration : IEntityTypeConfiguration<ConsentRecord>
{
    public void Configure(EntityTypeBuilder<ConsentRecord> record)
    {
        record.HasDefaultDataCategory(DataCategoryCodes.ConsentProofs);
        record.HasKey(r => r.Id);
        record.Property(r => r.Id).ValueGeneratedNever();
        record.Property(r => r.ChainKey).HasMaxLength(64);
        record.HasIndex(r => new { r.ChainKey, r.Sequence }).IsUnique();
        record.HasIndex(r => r.UserId);
        record.HasIndex(r => r.VisitorId);
        record.Property(r => r.VisitorId).RefersToDevice();
        record.HasIndex(r => r.DecidedAt);
        record.Property(r => r.Action).HasConversion<string>().HasMaxLength(16);
        record.Property(r => r.PolicyVersion).HasMaxLength(DecisionContext.MaxLength);
        record.Property(r => r.BannerVersion).HasMaxLength(DecisionContext.MaxLength);
        record.Property(r => r.FrontEnd).HasMaxLength(DecisionContext.MaxLength);
        record.Property(r => r.Controller).HasDataCategory(DataCategoryCodes.NotPersonal);
        record.Property(r => r.Hash).HasMaxLength(64);
        record.Property(r => r.PreviousHash).HasMaxLength(64);
        record.HasOne<Consent>().WithMany().HasForeignKey(r => r.ConsentId).OnDelete(DeleteBehavior.Cascade);
        record.HasOne<User>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class VisitorConfiguration : IEntityTypeConfiguration<Visitor>
{
    public void Configure(EntityTypeBuilder<Visitor> visitor)
    {
        // The device's id and its cookie dates prove where and when consent was deposited: same category as the proofs.
        visitor.HasDefaultDataCategory(DataCategoryCodes.ConsentProofs);
        visitor.HasKey(v => v.Id);
        visitor.Property(v => v.Id).ValueGeneratedNever();
        // Erasing the account takes the devices attached to it (P8).
        visitor.HasOne<User>().WithMany().HasForeignKey(v => v.UserId).OnDelete(DeleteBehavior.Cascade);
        visitor.HasIndex(v => v.UserId);
        visitor.HasIndex(v => v.CookieExpiresAt); // consent-proof-purge
    }
}

internal sealed class CookieConfiguration : IEntityTypeConfiguration<Cookie>
{
    public void Configure(EntityTypeBuilder<Cookie> cookie)
    {
        cookie.HasDefaultDataCategory(DataCategoryCodes.NotPersonal);
        cookie.HasKey(c => c.Id);
        cookie.Property(c => c.Id).ValueGeneratedNever();
        cookie.Property(c => c.Name).HasMaxLength(Cookie.NameMaxLength);
        cookie.HasIndex(c => c.Name).IsUnique();
        cookie.Property(c => c.Purpose).HasConversion<string>().HasMaxLength(32);
        cookie.Property(c => c.Provider).HasMaxLength(Cookie.ProviderMaxLength);
        cookie.Property(c => c.Description).HasMaxLength(Cookie.DescriptionMaxLength);
        cookie.ToTable(t => t.HasCheckConstraint("ck_cookies_lifetime_at_most_13_months",
            "lifetime_months >= 0 AND lifetime_days >= 0 AND (lifetime_months < 13 OR (lifetime_months = 13 AND lifetime_days = 0))"));
        cookie.HasData(Cookie.Seeds());
    }
}
