using Imail.Domain.DataCategories;
using Imail.Domain.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Imail.Domain.Partners;

internal sealed class PartnerEventConfiguration : IEntityTypeConfiguration<PartnerEvent>
{
    public const string Table = "partner_events";

    public void Configure(EntityTypeBuilder<PartnerEvent> e)
    {
        e.ToTable(Table);
        // Policy versions and what partners need about them: public, about nobody (P8: nothing to erase).
        e.HasDefaultDataCategory(DataCategoryCodes.NotPersonal).HoldsNoIdentifier();
        e.HasKey(x => x.Sequence);
        e.Property(x => x.Sequence).UseIdentityAlwaysColumn();
        e.HasIndex(x => x.Id).IsUnique();
        e.Property(x => x.Type).HasMaxLength(100);
        e.Property(x => x.Body).HasColumnType("jsonb");
        // The event-log retention purge (outbox-cleanup) walks this.
        e.HasIndex(x => x.LoggedAt);
    }
}
