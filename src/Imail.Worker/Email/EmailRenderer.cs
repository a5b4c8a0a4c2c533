using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using System.Text.Unicode;
using Fluid;
using Imail.Domain.Common;
using Imail.Domain.Outbox;
using Imail.Domain.Users;
using Microsoft.Extensions.Options;

namespace Imail.Worker.Email;

/// <summary>An e-mail's three renderings.</summary>
public sealed record RenderedEmail(string Subject, string Text, string Html);

/// <summary>
/// Liquid templates (Fluid), embedded under <c>Email/Templates</c>: <c>{template}.{locale}.liquid</c>
/// with <c>--- subject</c>, <c>--- text</c> and <c>--- html</c> sections, wrapped by
/// <c>_layout.{locale}.liquid</c> (its <c>text</c> and <c>html</c> sections), which carries the
/// publisher's name, address and privacy contact in every e-mail (P1). Parsed once, at start.
/// </summary>
public sealed partial class EmailRenderer
{
    private const string ResourcePrefix = "Imail.Worker.Email.Templates.";
    private const string Layout = "_layout";
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);
    private static readonly TemplateOptions Options = new();
    private readonly IReadOnlyDictionary<(string Template, Locale Locale), IReadOnlyDictionary<string, IFluidTemplate>> _templates;
    private readonly IOptionsMonitor<Publisher> _publisher;

    public EmailRenderer(IOptionsMonitor<Publisher> publisher)
    {
        _publisher = publisher;
        _templates = Load();
    }

    /// <summary>Every template and layout, per locale, in one place: a missing one fails at start, not at send.</summary>
    public IEnumerable<(string Template, Locale Locale)> Available => _templates.Keys;

    public RenderedEmail Render(string template, EmailPayload payload)
    {
        var publisher = _publisher.CurrentValue;
        if (!publisher.IsComplete)
            throw new InvalidOperationException("Imail:Publisher needs Name, Address and PrivacyContact: every e-mail names the publisher (P1).");
        if (!_templates.TryGetValue((template, payload.Locale), out var parts))
            throw new UnknownTemplateException(template, payload.Locale);
        var layout = _templates[(Layout, payload.Locale)];

        var context = new TemplateContext(Options) { CultureInfo = payload.Locale.Culture() };
        context.SetValue("recipient", new Dictionary<string, object?> { ["name"] = payload.Name, ["email"] = payload.To });
        context.SetValue("values", payload.Values.ToDictionary(kv => kv.Key, kv => (object?)kv.Value));
        context.SetValue("publisher", new Dictionary<string, object?>
        {
            ["name"] = publisher.Name,
            ["address"] = publisher.Address,
            ["privacy_contact"] = publisher.PrivacyContact,
        });
        context.SetValue("locale", payload.Locale.ToString().ToLowerInvariant());

        var subject = Whitespace().Replace(parts["subject"].Render(context, NullEncoder.Default), " ").Trim();
        context.SetValue("subject", subject);
        context.SetValue("content", Tidy(parts["text"].Render(context, NullEncoder.Default)));
        var text = Tidy(layout["text"].Render(context, NullEncoder.Default));
        context.SetValue("content", parts["html"].Render(context, Html).Trim());
        var html = Tidy(layout["html"].Render(context, Html));
        return new RenderedEmail(subject, text, html);
    }

    private static IReadOnlyDictionary<(string, Locale), IReadOnlyDictionary<string, IFluidTemplate>> Load()
    {
        var parser = new FluidParser();
        var assembly = typeof(EmailRenderer).Assembly;
        var templates = new Dictionary<(string, Locale), IReadOnlyDictionary<string, IFluidTemplate>>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var name = resource[ResourcePrefix.Length..^".liquid".Length];
            var dot = name.LastIndexOf('.');
            var locale = Locales.Parse(name[(dot + 1)..]);
            var template = name[..dot];
            templates[(template, locale)] = Sections(parser, resource, Read(assembly, resource), template == Layout ? ["text", "html"] : ["subject", "text", "html"]);
        }
        foreach (var template in EmailTemplates.All.Append(Layout))
            foreach (var locale in Enum.GetValues<Locale>())
                if (!templates.ContainsKey((template, locale)))
                    throw new InvalidOperationException($"The e-mail template {template}.{locale.ToString().ToLowerInvariant()}.liquid is missing.");
        return templates;
    }

    private static Dictionary<string, IFluidTemplate> Sections(FluidParser parser, string resource, string source, string[] required)
    {
        var sections = new Dictionary<string, IFluidTemplate>();
        var matches = SectionHeader().Matches(source);
        for (var i = 0; i < matches.Count; i++)
        {
            var start = matches[i].Index + matches[i].Length;
            var end = i + 1 < matches.Count ? matches[i + 1].Index : source.Length;
            if (!parser.TryParse(source[start..end], out var template, out var error))
                throw new InvalidOperationException($"{resource}, section {matches[i].Groups[1].Value}: {error}");
            sections[matches[i].Groups[1].Value] = template;
        }
        if (required.FirstOrDefault(r => !sections.ContainsKey(r)) is { } missing)
            throw new InvalidOperationException($"{resource} has no '--- {missing}' section.");
        return sections;
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
        return reader.ReadToEnd().Replace("\r\n", "\n");
    }

    /// <summary>Liquid tags leave blank lines and trailing spaces behind: keep paragraphs, drop the rest.</summary>
    private static string Tidy(string rendered) =>
        BlankLines().Replace(TrailingSpaces().Replace(rendered, ""), "\n\n").Trim() + "\n";

    [GeneratedRegex(@"^--- (\w+)[ \t]*\n", RegexOptions.Multiline)]
    private static partial Regex SectionHeader();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    // "-- " (with its space) is the signature separator mail readers recognise.
    [GeneratedRegex(@"(?<!^--)[ \t]+$", RegexOptions.Multiline)]
    private static partial Regex TrailingSpaces();

    [GeneratedRegex(@"\n{3,}")]
    private static partial Regex BlankLines();
}

public sealed class UnknownTemplateException(string template, Locale locale)
    : Exception($"There is no e-mail template '{template}' for locale {locale.ToString().ToLowerInvariant()}.");
