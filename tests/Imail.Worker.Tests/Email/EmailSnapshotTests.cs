using System.Globalization;
using System.Text.RegularExpressions;
using Imail.Domain.Users;
using Imail.Worker.Email;
using Snapshooter;
using Snapshooter.Xunit;

namespace Imail.Worker.Tests.Email;

/// <summary>
/// Every e-mail in every language as people read it (subject, text and HTML), rendered by the real
/// renderer with fixed values and compared with its committed snapshot,
/// <c>__snapshots__/EmailSnapshotTests.{template}.{locale}.snap</c>: a wording change shows in review.
/// After an intended change, rewrite them and read the diff before committing:
/// <code>IMAIL_UPDATE_SNAPSHOTS=1 ./imail test --filter "FullyQualifiedName~EmailSnapshotTests" &amp;&amp; git diff</code>
/// </summary>
public partial class EmailSnapshotTests
{
    private const string UpdateVariable = "IMAIL_UPDATE_SNAPSHOTS";
    private static readonly EmailRenderer Renderer = TestEmails.Renderer();

    private static bool Updating => Environment.GetEnvironmentVariable(UpdateVariable) == "1";

    [Theory]
    [MemberData(nameof(TestEmails.EveryTemplateInEveryLocale), MemberType = typeof(TestEmails))]
    public void EveryEmail_InEveryLanguage_ReadsAsItsSnapshot(string template, Locale locale)
    {
        var email = Render(template, locale, CultureInfo.InvariantCulture);

        // The machine's culture plays no part: the renderer writes in the recipient's language.
        Assert.Equal(email, Render(template, locale, CultureInfo.GetCultureInfo("tr-TR")));
        Match(SnapshotName(template, locale), AsPeopleReadIt(email));
    }

    [Fact]
    public void NoSnapshot_OutlivesItsTemplate()
    {
        var folder = Path.Combine(Snapshot.FullName().FolderPath, FileNames.SnapshotFolderName);
        var expected = TestEmails.EveryTemplateInEveryLocale().Select(row => SnapshotName((string)row[0], (Locale)row[1]) + FileNames.SnapshotFileExtension);
        var committed = Directory.Exists(folder) ? Directory.GetFiles(folder, "*" + FileNames.SnapshotFileExtension).Select(Path.GetFileName) : [];

        Assert.Empty(committed.Except(expected));
    }

    [Fact]
    public void TheFixedValues_AreEveryValueATemplateReads()
    {
        // A value missing from the fixture would render as nothing, and the snapshot would keep the gap.
        var assembly = typeof(EmailRenderer).Assembly;
        var read = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("Imail.Worker.Email.Templates.", StringComparison.Ordinal))
            .SelectMany(n =>
            {
                using var reader = new StreamReader(assembly.GetManifestResourceStream(n)!);
                return ValueReference().Matches(reader.ReadToEnd()).Select(m => m.Groups[1].Value);
            })
            .ToHashSet();

        Assert.NotEmpty(read);
        Assert.Subset(TestEmails.Values.Keys.ToHashSet(), read);
    }

    private static string SnapshotName(string template, Locale locale) =>
        $"{nameof(EmailSnapshotTests)}.{template}.{locale.ToString().ToLowerInvariant()}";

    private static RenderedEmail Render(string template, Locale locale, CultureInfo culture)
    {
        var (current, currentUi) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = culture;
        try
        {
            return Renderer.Render(template, TestEmails.Payload(locale));
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (current, currentUi);
        }
    }

    private static string AsPeopleReadIt(RenderedEmail email) =>
        $"Subject: {email.Subject}\n\n--- text\n{email.Text}\n--- html\n{email.Html}";

    /// <summary>
    /// Snapshooter's match, stricter about a missing snapshot (a new e-mail must come with its
    /// committed wording) and with a line diff when the rendering changed.
    /// </summary>
    private static void Match(string name, string rendered)
    {
        var fullName = Snapshot.FullName(name);
        var folder = Path.Combine(fullName.FolderPath, FileNames.SnapshotFolderName);
        var path = Path.Combine(folder, fullName.Filename);
        var howToUpdate = $"If the change is intended: {UpdateVariable}=1 ./imail test --filter \"FullyQualifiedName~{nameof(EmailSnapshotTests)}\", "
            + "then read the snapshots' diff and commit them with the template.";

        string? committed = null;
        if (Updating)
        {
            if (File.Exists(path)) File.Delete(path); // Snapshooter writes it anew
        }
        else if (File.Exists(path)) committed = File.ReadAllText(path);
        else Assert.Fail($"No committed snapshot {path}.\n{howToUpdate}");

        try
        {
            Snapshot.Match(rendered, fullName);
        }
        catch (Exception e) when (committed is not null)
        {
            var mismatch = Path.Combine(folder, FileNames.MismatchFolderName, fullName.Filename);
            throw new SnapshotMismatchException(
                $"{fullName.Filename} no longer matches the rendering (- committed, + rendered now, in {mismatch}):\n"
                + LineDiff.Of(committed, rendered) + howToUpdate, e);
        }
    }

    [GeneratedRegex(@"\bvalues\.(\w+)")]
    private static partial Regex ValueReference();

    private sealed class SnapshotMismatchException(string message, Exception inner) : Xunit.Sdk.XunitException(message, inner);
}
