using Imail.Domain.DataCategories;
using Imail.Domain.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Imail.Domain.Tests.Persistence;

/// <summary>P8: the personal-data catalogue reaches every table that can hold something about a person, so erasure and the export do too.</summary>
public class CatalogueTests
{
    private static readonly ImailDbContext Db = new(DatabaseSetup.Options("Host=unused"));
    private static readonly PersonalDataCatalogue Catalogue = new(Db.Model);

    [Fact]
    public void P8_EveryTableHoldingIdentifyingData_IsReachedFromThePerson_OrDeclaredAnonymous()
    {
        var reached = Catalogue.Tables.Select(t => t.Table).ToHashSet();
        foreach (var entity in Db.Model.GetEntityTypes().Where(e => e.GetTableName() is not null))
        {
            var identifying = entity.GetProperties().Where(p => !p.IsKey() && DataCategoryCodes.Identifying.Contains(p.DataCategory() ?? "")).ToList();
            if (identifying.Count == 0 || reached.Contains(entity.GetTableName()!)) continue;
            Assert.True(entity.IsAnonymous(), $"{entity.GetTableName()} holds {string.Join(", ", identifying.Select(p => p.Name))} but no path from a person reaches it: give it a foreign key to users, RefersToPerson/RefersToDevice, or HoldsNoIdentifier.");
            // Declared anonymous: nothing in it could point at an account or a device.
            Assert.DoesNotContain(entity.GetProperties(), p => !p.IsPrimaryKey() && p.ClrType.IsAssignableTo(typeof(Guid?)));
        }
    }

    [Fact]
    public void P8_EveryVisitorIdColumn_LeadsTheCatalogueToTheRowsRecordedOnThatDevice()
    {
        var visitorColumns = Db.Model.GetEntityTypes().SelectMany(e => e.GetProperties()).Where(p => p.Name == "VisitorId").ToList();
        Assert.NotEmpty(visitorColumns);
        Assert.All(visitorColumns, p => Assert.Equal(PersonReference.Device, p.Reference()));
        Assert.Equal(["consent_records", "consents", "navigation_events"], Catalogue.Tables.Where(t => t.DeviceColumn is not null).Select(t => t.Table).Order());
    }

    [Fact]
    public void TheCatalogue_ReachesTheKnownTables_AndPutsDependantsBeforeWhatTheyDependOn()
    {
        var order = Catalogue.Tables.Select(t => t.Table).ToList();
        Assert.Superset(new HashSet<string> { "users", "consents", "consent_choices", "consent_records", "visitors", "navigation_events",
            "connected_accounts", "connected_account_fields", "outbox_messages", "deletion_requests", "policy_decisions" }, order.ToHashSet());
        Assert.Equal("users", order[^1]);
        Assert.True(order.IndexOf("consent_choices") < order.IndexOf("consents"));
        Assert.True(order.IndexOf("consent_records") < order.IndexOf("consents"));
        Assert.True(order.IndexOf("connected_account_fields") < order.IndexOf("connected_accounts"));
        Assert.DoesNotContain("staff_actions", order);
        Assert.DoesNotContain("erasures", order);
        Assert.DoesNotContain("policy_versions", order); // P13: the policy's public texts, about nobody, kept for ever
    }

    [Fact]
    public void P8_TablesKeptForAccountability_ClearOnlyNullableColumns_AndKeepNoIdentifyingOne()
    {
        var kept = Catalogue.Tables.Where(t => t.KeptAnonymized).ToList();
        Assert.Equal(["deletion_requests"], kept.Select(t => t.Table));
        foreach (var table in kept)
        {
            var entity = Db.Model.GetEntityTypes().Single(e => e.GetTableName() == table.Table);
            var cleared = table.ClearedAtErasure.ToHashSet();
            Assert.Contains(table.AccountColumn!, cleared);
            foreach (var property in entity.GetProperties())
            {
                var column = property.GetColumnName();
                if (cleared.Contains(column)) Assert.True(property.IsNullable, $"{table.Table}.{column} is cleared at erasure: it must be nullable.");
                else if (!property.IsPrimaryKey()) Assert.False(DataCategoryCodes.Identifying.Contains(property.DataCategory() ?? ""), $"{table.Table}.{column} identifies and is kept.");
            }
        }
    }

    [Fact]
    public void ThePersonsRows_AreFoundByAccount_ByDevice_OrThroughTheirParent()
    {
        var navigation = Catalogue.Tables.Single(t => t.Table == "navigation_events");
        Assert.Equal("(n.user_id = @account OR (n.visitor_id = ANY(@devices) AND n.user_id IS NULL))", navigation.Where("n"));
        var fields = Catalogue.Tables.Single(t => t.Table == "connected_account_fields");
        Assert.Equal("(f.connected_account_id) IN (SELECT fp.id FROM connected_accounts AS fp WHERE fp.user_id = @account)", fields.Where("f"));
        Assert.Equal("o.user_id = @account", Catalogue.Tables.Single(t => t.Table == "outbox_messages").Where("o"));
    }
}
