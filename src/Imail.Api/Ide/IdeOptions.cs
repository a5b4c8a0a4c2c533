namespace Imail.Api.Ide;

/// <summary>Banana Cake Pop, served at <c>/graphql/</c>; bound to <c>Imail:Ide</c>.</summary>
public sealed class IdeOptions
{
    public const string Section = "Imail:Ide";

    public bool Enabled { get; set; } = true;

    public string Title { get; set; } = "Imail";
}
