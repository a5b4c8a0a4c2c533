using Imail.Domain.DataCategories;
using Imail.Domain.Persistence;
using Imail.Domain.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Imail.Domain.Policies;

internal sealed class PolicyVersionConfiguration : IEntityTypeConfiguration<PolicyVersion>
{
    public void Configure(EntityTypeBuilder<PolicyVersion> version)
    {
        // The policy's texts, public once published: about nobody.
        version.HasDefaultDataCategory(DataCategoryCodes.NotPersonal).HoldsNoIdentifier();
        version.HasKey(v => v.Id);
        version.Ignore(v => v.Summary);
        version.Ignore(v => v.Text);
        version.Ignore(v => v.AllowedPurposes);
        version.Ignore(v => v.AllowedScopes);
        version.Property(v => v.Id).ValueGeneratedNever();
        version.Property(v => v.Number).HasMaxLength(PolicyVersion.NumberMaxLength);
        version.HasAlternateKey(v => v.Number);
        version.Property(v => v.Status).HasConversion<string>().HasMaxLength(16);
        foreach (var summary in new[] { nameof(PolicyVersion.SummaryFr), nameof(PolicyVersion.SummaryNl), nameof(PolicyVersion.SummaryEn) })
            version.Property<string>(summary).HasMaxLength(PolicyVersion.SummaryMaxLength);
        foreach (var text in new[] { nameof(PolicyVersion.TextFr), nameof(PolicyVersion.TextNl), nameof(PolicyVersion.TextEn) })
            version.Property<string>(text).HasMaxLength(PolicyVersion.TextMaxLength);
        version.Property(v => v.NewlyAllowedPurposes).HasColumnType("text[]");
        version.Property(v => v.NewlyAllowedScopes).HasColumnType("text[]");
        // policy-takes-effect: the published versions whose partner event is still owed.
        version.HasIndex(v => v.EffectiveAt).HasFilter("status = 'Published' AND takes_effect_event_at IS NULL")
            .HasDatabaseName("ix_policy_versions_takes_effect_due");
    }
}

internal sealed class PolicyDecisionConfiguration : IEntityTypeConfiguration<PolicyDecision>
{
    public void Configure(EntityTypeBuilder<PolicyDecision> decision)
    {
        decision.ToTable("policy_decisions");
        // Proof of the person's answer (P13), like a proof of consent (P5); erased with the account (the foreign key
        // brings it into the personal-data catalogue).
        decision.HasDefaultDataCategory(DataCategoryCodes.ConsentProofs);
        decision.HasKey(d => d.Id);
        decision.Property(d => d.Id).ValueGeneratedNever();
        decision.Property(d => d.Decision).HasConversion<string>().HasMaxLength(16);
        decision.Property(d => d.FrontEnd).HasMaxLength(Consents.DecisionContext.MaxLength);
        decision.HasOne<User>().WithMany().HasForeignKey(d => d.UserId).OnDelete(DeleteBehavior.Cascade);
        decision.HasOne<PolicyVersion>().WithMany().HasForeignKey(d => d.PolicyNumber).HasPrincipalKey(v => v.Number).OnDelete(DeleteBehavior.Restrict);
        decision.HasIndex(d => new { d.UserId, d.PolicyNumber, d.DecidedAt });
    }
}
