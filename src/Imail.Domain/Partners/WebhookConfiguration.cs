using Imail.Domain.DataCategories;
using Imail.Domain.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Imail.Domain.Partners;

internal sealed class WebhookEndpointConfiguration : IEntityTypeConfiguration<WebhookEndpoint>
{
    public const string Table = "webhook_endpoints";

    public void Configure(EntityTypeBuilder<WebhookEndpoint> e)
    {
        e.ToTable(Table);
        // A partner's (a company's) delivery configuration: about no person, outside P8. The partner is its token
        // subject, not an account; the secrets are credentials, never returned by a query (docs/webhooks.md).
        e.HasDefaultDataCategory(DataCategoryCodes.NotPersonal).HoldsNoIdentifier();
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).ValueGeneratedNever();
        e.Property(x => x.Partner).HasMaxLength(WebhookEndpoint.PartnerMaxLength);
        e.Property(x => x.Url).HasMaxLength(WebhookUrl.MaxLength);
        e.Property(x => x.Secret).HasMaxLength(100);
        e.Property(x => x.PreviousSecret).HasMaxLength(100);
        e.Property(x => x.DisabledReason).HasMaxLength(200);
        e.Property(x => x.Version).IsRowVersion();
        e.Ignore(x => x.IsActive);
        // A partner's own list, and the per-partner limit's count.
        e.HasIndex(x => new { x.Partner, x.Id });
    }
}
