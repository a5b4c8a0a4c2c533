namespace Imail.Api.Hosting;

/// <summary>
/// The git-ignored <c>.local/</c> folder at the repository root where the development run keeps
/// its PostgreSQL cluster, signing key and e-mails. <c>Imail:LocalFolder</c> moves it.
/// </summary>
public sealed class LocalFolder
{
    public LocalFolder(IConfiguration configuration, IHostEnvironment environment)
    {
        Root = configuration["Imail:LocalFolder"] is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : Path.Combine(FindRepositoryRoot(environment.ContentRootPath) ?? environment.ContentRootPath, ".local");
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string PathOf(string name) => Path.Combine(Root, name);

    private static string? FindRepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Imail.GraphQL.sln"))) return dir.FullName;
        return null;
    }
}
