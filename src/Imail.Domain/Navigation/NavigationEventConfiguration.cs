using Imail.Domain.DataCategories;
using Imail.Domain.Persistence;
using Imail.Domain.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Imail.Domain.Navigation;

internal sealed class NavigationEventConfiguration : IEntityTypeConfiguration<NavigationEvent>
{
    public void Configure(EntityTypeBuilder<NavigationEvent> navigation)
    {
        navigation.HasDefaultDataCategory(DataCategoryCodes.Navigation);
        navigation.HasKey(n => n.Id);
        navigation.Property(n => n.Id).ValueGeneratedNever();
        navigation.Property(n => n.Kind).HasConversion<string>().HasMaxLength(16);
        navigation.Property(n => n.Name).HasMaxLength(NavigationEvent.NameMaxLength);
        navigation.Property(n => n.FrontEnd).HasMaxLength(Consents.DecisionContext.MaxLength);
        navigation.HasIndex(n => n.OccurredAt);
        navigation.HasIndex(n => n.VisitorId);
        navigation.Property(n => n.VisitorId).RefersToDevice();
        navigation.HasOne<User>().WithMany().HasForeignKey(n => n.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
