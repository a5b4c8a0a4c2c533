using Imail.Domain.DataCategories;
using Imail.Domain.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Imail.Domain.Outbox;

internal sealed class OutboxConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public const string Table = "outbox_messages";

    public void Configure(EntityTypeBuilder<OutboxMessage> message)
    {
        message.ToTable(Table);
        message.HasDefaultDataCategory(DataCategoryCodes.DeliveryLogs);
        message.HasKey(m => m.Id);
        message.Property(m => m.Id).ValueGeneratedNever();
        message.Property(m => m.Kind).HasMaxLength(100);
        // Recipient address, name and template values until delivered (then purged): contact data.
        message.Property(m => m.Payload).HasColumnType("jsonb").HasDataCategory(DataCategoryCodes.Contact);
        message.Property(m => m.UserId).HasDataCategory(DataCategoryCodes.Account).RefersToPerson();
        message.Property(m => m.State).HasConversion<string>().HasMaxLength(16);
        message.Property(m => m.LastError).HasMaxLength(2000);
        message.Property(m => m.ErasePayloadOnDelivery).HasDefaultValueSql("false").HasSentinel(false);
        // The relay's claim: pending, due, not leased; partial so it stays small however many were delivered.
        message.HasIndex(m => m.AvailableAt).HasFilter("state = 'Pending'").HasDatabaseName("ix_outbox_messages_due");
        message.HasIndex(m => new { m.State, m.Id });
        message.HasIndex(m => m.UserId).HasFilter("user_id IS NOT NULL");
        message.HasIndex(m => m.DeliveredAt).HasFilter("state = 'Delivered'");
    }
}
