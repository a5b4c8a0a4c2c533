using Imail.Domain.DataCategories;
using Imail.Domain.Persistence;
using Imail.Domain.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Imail.Domain.ConnectedAccounts;

internal sealed class ConnectedAccountConfiguration : IEntityTypeConfiguration<ConnectedAccount>
{
    public void Configure(EntityTypeBuilder<ConnectedAccount> account)
    {
        account.HasDefaultDataCategory(DataCategoryCodes.ConnectedAccountProfile);
        account.HasKey(a => a.Id);
        account.Property(a => a.Id).ValueGeneratedNever();
        account.Property(a => a.Provider).HasMaxLength(40);
        account.Property(a => a.ExternalAccountId).HasMaxLength(ConnectedAccount.ExternalIdMaxLength);
        account.HasIndex(a => new { a.UserId, a.Provider, a.ExternalAccountId }).IsUnique();
        account.HasIndex(a => a.UpdatedAt); // connected-account-purge
        account.HasOne<User>().WithMany().HasForeignKey(a => a.UserId).OnDelete(DeleteBehavior.Cascade);
        account.OwnsMany(a => a.Fields, field =>
        {
            field.ToTable("connected_account_fields");
            field.HasAnnotation(PersonalData.Annotation, DataCategoryCodes.ConnectedAccountProfile);
            field.WithOwner().HasForeignKey("ConnectedAccountId");
            field.Property<int>("Id");
            field.HasKey("Id");
            field.Property(f => f.Scope).HasMaxLength(100);
            field.Property(f => f.Name).HasMaxLength(100);
            field.Property(f => f.Value).HasMaxLength(ConnectedAccount.ValueMaxLength);
        });
        account.Navigation(a => a.Fields).HasField("_fields");
    }
}
