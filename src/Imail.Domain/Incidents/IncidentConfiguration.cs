using Imail.Domain.DataCategories;
using Imail.Domain.Persistence;
using Imail.Domain.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Imail.Domain.Incidents;

internal sealed class IncidentConfiguration : IEntityTypeConfiguration<Incident>
{
    public void Configure(EntityTypeBuilder<Incident> incident)
    {
        // What happened and what was done: about the incident, naming nobody (who was affected is in incident_recipients).
        incident.HasDefaultDataCategory(DataCategoryCodes.NotPersonal).HoldsNoIdentifier();
        incident.HasKey(i => i.Id);
        incident.Property(i => i.Id).ValueGeneratedNever();
        incident.Ignore(i => i.Summary);
        incident.Ignore(i => i.AuthorityDeadline);
        incident.Ignore(i => i.IsClosed);
        incident.Property(i => i.Severity).HasConversion<string>().HasMaxLength(16);
        incident.Property(i => i.DeclaredBy).HasMaxLength(200);
        foreach (var summary in new[] { nameof(Incident.SummaryFr), nameof(Incident.SummaryNl), nameof(Incident.SummaryEn) })
            incident.Property<string>(summary).HasMaxLength(Incident.SummaryMaxLength);
        incident.Property(i => i.Categories).HasColumnType("text[]");
        incident.Property(i => i.Selector).HasColumnType("jsonb");
        incident.Property(i => i.AuthorityNotificationMeans).HasMaxLength(Incident.MeansMaxLength);
        incident.Property(i => i.AuthorityDelayReason).HasMaxLength(Incident.ReasonMaxLength);
        incident.Property(i => i.AuthorityNotRequiredReason).HasMaxLength(Incident.ReasonMaxLength);
        incident.HasIndex(i => i.DeclaredAt);
    }
}

internal sealed class IncidentStepConfiguration : IEntityTypeConfiguration<IncidentStep>
{
    public void Configure(EntityTypeBuilder<IncidentStep> step)
    {
        step.ToTable("incident_steps");
        step.HasDefaultDataCategory(DataCategoryCodes.NotPersonal);
        step.HasKey(s => s.Id);
        step.Property(s => s.Id).ValueGeneratedNever();
        step.Ignore(s => s.Text);
        step.Property(s => s.Sequence).UseIdentityAlwaysColumn();
        step.Property(s => s.Kind).HasConversion<string>().HasMaxLength(32);
        step.Property(s => s.Actor).HasMaxLength(200);
        foreach (var text in new[] { nameof(IncidentStep.TextFr), nameof(IncidentStep.TextNl), nameof(IncidentStep.TextEn) })
            step.Property<string?>(text).HasMaxLength(Incident.SummaryMaxLength);
        step.Property(s => s.Note).HasMaxLength(Incident.ReasonMaxLength * 2);
        step.HasOne<Incident>().WithMany().HasForeignKey(s => s.IncidentId).OnDelete(DeleteBehavior.Cascade);
        step.HasIndex(s => new { s.IncidentId, s.Sequence });
    }
}

internal sealed class IncidentRecipientConfiguration : IEntityTypeConfiguration<IncidentRecipient>
{
    public void Configure(EntityTypeBuilder<IncidentRecipient> recipient)
    {
        recipient.ToTable("incident_recipients");
        // That this person was affected and told (P12): part of the account's history, kept to show them their
        // incidents (me.incidents) and to prove the notice, as long as the account (category account: its retention
        // is the account's, enforced by the inactivity erasure of P9). Erased with the account: the foreign key brings
        // it into the personal-data catalogue, and cascades.
        recipient.HasDefaultDataCategory(DataCategoryCodes.Account);
        recipient.HasKey(r => new { r.IncidentId, r.UserId });
        recipient.Property(r => r.Categories).HasColumnType("text[]");
        recipient.HasOne<Incident>().WithMany().HasForeignKey(r => r.IncidentId).OnDelete(DeleteBehavior.Restrict);
        recipient.HasOne<User>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Cascade);
        // me.incidents and the updates' fan-out read by person, by incident (the key).
        recipient.HasIndex(r => r.UserId);
    }
}
