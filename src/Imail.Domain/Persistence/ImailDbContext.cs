using Imail.Domain.ConnectedAccounts;
using Imail.Domain.Consents;
using Imail.Domain.DataCategories;
using Imail.Domain.Lifecycle;
using Imail.Domain.Navigation;
using Imail.Domain.Outbox;
using Imail.Domain.Partners;
using Imail.Domain.Policies;
using Imail.Domain.Users;
using Microsoft.EntityFrameworkCore;

namespace Imail.Domain.Persistence;

/// <summary>
/// The one unit of work. Configurations live next to their entities and are applied from this
/// assembly. New migration: <c>dotnet ef migrations add Name -p src/Imail.Domain -o Persistence/Migrations</c>.
/// </summary>
public sealed class ImailDbContext(DbContextOptions<ImailDbContext> options) : DbContext(options)
{
    public DbSet<User> Users => Set<User>();
    public DbSet<DataCategory> DataCategories => Set<DataCategory>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();
    public DbSet<Cookie> Cookies => Set<Cookie>();
    public DbSet<Visitor> Visitors => Set<Visitor>();
    public DbSet<Consent> Consents => Set<Consent>();
    public DbSet<ConsentRecord> ConsentRecords => Set<ConsentRecord>();
    public DbSet<NavigationEvent> NavigationEvents => Set<NavigationEvent>();
    public DbSet<ConnectedAccount> ConnectedAccounts => Set<ConnectedAccount>();
    public DbSet<StaffAction> StaffActions => Set<StaffAction>();
    public DbSet<ErasureRecord> Erasures => Set<ErasureRecord>();
    public DbSet<DeletionRequest> DeletionRequests => Set<DeletionRequest>();
    public DbSet<AnonymousConsentProof> AnonymousConsentProofs => Set<AnonymousConsentProof>();
    public DbSet<PartnerEvent> PartnerEvents => Set<PartnerEvent>();
    public DbSet<WebhookEndpoint> WebhookEndpoints => Set<WebhookEndpoint>();
    public DbSet<PolicyVersion> PolicyVersions => Set<PolicyVersion>();
    public DbSet<PolicyDecision> PolicyDecisions => Set<PolicyDecision>();
    public DbSet<Incidents.Incident> Incidents => Set<Incidents.Incident>();
    public DbSet<Incidents.IncidentStep> IncidentSteps => Set<Incidents.IncidentStep>();
    public DbSet<Incidents.IncidentRecipient> IncidentRecipients => Set<Incidents.IncidentRecipient>();
    public DbSet<Statistics.StatisticsRequest> StatisticsRequests => Set<Statistics.StatisticsRequest>();
    public DbSet<Statistics.StoredAnswer> StatisticsAnswers => Set<Statistics.StoredAnswer>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(ImailDbContext).Assembly);
}
