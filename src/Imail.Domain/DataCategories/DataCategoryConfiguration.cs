using Imail.Domain.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Imail.Domain.DataCategories;

internal sealed class DataCategoryConfiguration : IEntityTypeConfiguration<DataCategory>
{
    public void Configure(EntityTypeBuilder<DataCategory> category)
    {
        category.HasDefaultDataCategory(DataCategoryCodes.NotPersonal);
        category.HasKey(c => c.Code);
        category.Property(c => c.Code).HasMaxLength(50);
        category.Property(c => c.Name).HasMaxLength(100);
        category.Property(c => c.Description).HasMaxLength(2000);
        category.Property(c => c.Purpose).HasMaxLength(1000);
        category.Property(c => c.RetentionStartsFrom).HasMaxLength(200);
        category.Property(c => c.LegalBasis).HasConversion<string>().HasMaxLength(32);
        category.Property(c => c.Kind).HasConversion<string>().HasMaxLength(16);
        category.Ignore(c => c.Retention);
        category.ToTable(t => t.HasCheckConstraint("ck_data_categories_retention_positive",
            "retention_months >= 0 AND retention_days >= 0 AND retention_months + retention_days > 0"));
        category.HasData(DataCategoryCodes.Seeds());
    }
}
