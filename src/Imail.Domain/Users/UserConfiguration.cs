using Imail.Domain.DataCategories;
using Imail.Domain.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Imail.Domain.Users;

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> user)
    {
        user.HasDefaultDataCategory(DataCategoryCodes.Account);
        user.HasKey(u => u.Id);
        user.Property(u => u.Id).ValueGeneratedNever();
        user.Property(u => u.Email).HasMaxLength(EmailAddress.MaxLength).HasDataCategory(DataCategoryCodes.Contact);
        user.HasIndex(u => u.Email).IsUnique();
        user.Property(u => u.PendingEmail).HasMaxLength(EmailAddress.MaxLength).HasDataCategory(DataCategoryCodes.Contact);
        user.Property(u => u.PendingEmailCodeHash).HasMaxLength(64).HasDataCategory(DataCategoryCodes.Contact);
        user.Property(u => u.PendingEmailExpiresAt).HasDataCategory(DataCategoryCodes.Contact);
        user.Property(u => u.DisplayName).HasMaxLength(User.DisplayNameMaxLength).HasDataCategory(DataCategoryCodes.Identity);
        user.Property(u => u.Locale).HasConversion<string>().HasMaxLength(8);
        user.Property(u => u.Country).HasMaxLength(Countries.Length).IsFixedLength(false);
        user.Property(u => u.Status).HasConversion<string>().HasMaxLength(32);
        user.HasIndex(u => u.Status);
        user.HasIndex(u => u.LastAuthenticatedAt);
        // Default for rows written by SQL (and the accounts that existed before it): a random reference each.
        user.Property(u => u.AuditRef).HasDefaultValueSql("gen_random_uuid()")
            // The key that keeps the audit trail anonymous once the account is gone: never handed out (not in the
            // person's copy, not in personalData), so no file outside Imail can link the trail back to them.
            .HasDataCategory(DataCategoryCodes.NotPersonal);
        user.HasIndex(u => u.AuditRef).IsUnique();
        user.Property(u => u.Restrictions).HasColumnType("text[]").HasDefaultValueSql("'{}'")
            .HasConversion(new Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<List<Lifecycle.Capability>, string[]>(
                v => v.Select(c => c.ToString()).ToArray(), v => v.Select(Enum.Parse<Lifecycle.Capability>).ToList()),
                new Microsoft.EntityFrameworkCore.ChangeTracking.ValueComparer<List<Lifecycle.Capability>>(
                    (a, b) => a!.SequenceEqual(b!), v => v.Aggregate(0, (h, c) => HashCode.Combine(h, c)), v => v.ToList()));
        // inactivity: the accounts waiting out their grace period (P9). The invitation's claim reads
        // ix_users_inactive_since, an expression index on coalesce(last_authenticated_at, created_at)
        // written in the LifecycleIndexes migration (EF's model cannot declare it).
        user.HasIndex(u => u.InactivityDeadline).HasFilter("inactivity_deadline IS NOT NULL");
    }
}
