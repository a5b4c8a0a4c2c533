using Microsoft.EntityFrameworkCore.Design;

namespace Imail.Domain.Persistence;

/// <summary>For <c>dotnet ef</c> only: adding a migration needs the model, not a server.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<ImailDbContext>
{
    public ImailDbContext CreateDbContext(string[] args) =>
        new(DatabaseSetup.Options(Environment.GetEnvironmentVariable("ConnectionStrings__Imail")
                                  ?? "Host=localhost;Database=imail_design;Username=imail"));
}
