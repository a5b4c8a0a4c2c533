using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.Consents;
using Imail.Domain.Consents;
using Imail.Domain.Statistics;

namespace Imail.Api.Statistics;

public sealed class StatisticsDimensionType() : EnumType<StatisticsDimension>("StatisticsDimension",
    "What accounts can be counted by (P3). Each gives every account exactly one value; values are codes, never identifiers.",
    ("COUNTRY", "The country the person gave (ISO 3166-1 alpha-2, `BE`); `none` when they gave none."),
    ("LOCALE", "The language Imail writes to them in: `fr`, `nl`, `en`."),
    ("SIGN_UP_MONTH", "The calendar month of sign-up, UTC: `2026-03`. The finest time there is: no day, no date range."),
    ("ACTIVITY", "Time since the last sign-in (sign-up when none): `within-30-days`, `within-90-days`, `within-a-year`, `over-a-year`."),
    ("CONSENT", "The account's running answer for one `purpose`: `granted`, `refused`, `none` (no answer, or past its 13 months)."),
    ("CONNECTED_ACCOUNT", "Whether the account connected an account of one `provider`: `connected`, `not-connected`."),
    ("GRANTED_SCOPE", "Whether a connected account of one `provider` granted one `scope`: `granted`, `not-granted`."),
    ("POLICY_DECISION", "The account's latest answer to one `policyVersion` that asked for acceptance: `accepted`, `refused`, `none`."));

public sealed record StatisticsAxisInput(StatisticsDimension Dimension, ConsentPurpose? Purpose, string? Provider, string? Scope, string? PolicyVersion);

public sealed class StatisticsAxisInputType : InputObjectGraphType<StatisticsAxisInput>
{
    public StatisticsAxisInputType()
    {
        Name = "StatisticsAxisInput";
        Description = "One axis to count by: a dimension, and what it is about when it needs it.";
        Field(a => a.Dimension, type: typeof(NonNullGraphType<StatisticsDimensionType>)).Description("The dimension.");
        Field(a => a.Purpose, type: typeof(ConsentPurposeType)).Description("CONSENT only: the purpose (STATISTICS or PERSONALISATION).");
        Field(a => a.Provider, nullable: true).Description("CONNECTED_ACCOUNT and GRANTED_SCOPE only: the provider (`mastodon`).");
        Field(a => a.Scope, nullable: true).Description("GRANTED_SCOPE only: the scope (`email`).");
        Field(a => a.PolicyVersion, nullable: true).Description("POLICY_DECISION only: a published version number.");
    }
}

/// <summary>A released group as the schema shows it: one value per axis asked (null: any value not listed on that axis).</summary>
public sealed record StatisticsGroup(IReadOnlyList<string?> Values, long Count)
{
    public static IReadOnlyList<StatisticsGroup> Of(StatisticsAnswer answer) =>
        answer.Release.Groups.Select(g => new StatisticsGroup(answer.Axes.Count == 1 ? [g.Row] : [g.Row, g.Column], g.Count)).ToList();
}

public sealed class StatisticsGroupType : ObjectGraphType<StatisticsGroup>
{
    public StatisticsGroupType()
    {
        Name = "StatisticsGroup";
        Description = "A group of at least k accounts. `values` has one entry per axis; null on an axis means \"any value this answer does not list on that axis\".";
        Field<NonNullGraphType<ListGraphType<StringGraphType>>>("values")
            .Description("The group's value on each axis, in the order asked; null: every value not listed on that axis in this answer.")
            .Resolve(ctx => ctx.Source.Values);
        Field<NonNullGraphType<IntGraphType>>("count").Description("How many accounts: at least k.").Resolve(ctx => (int)ctx.Source.Count);
        this.Allow(Roles.Partner, Roles.Staff);
    }
}

public sealed class StatisticsAnswerType : ObjectGraphType<StatisticsAnswer>
{
    public StatisticsAnswerType()
    {
        Name = "StatisticsAnswer";
        Description = "Accounts counted by one or two axes, in groups of at least k that together hold every account once (docs/statistics.md).";
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("axes")
            .Description("The axes, as asked: `COUNTRY`, `CONSENT(statistics)`, `GRANTED_SCOPE(mastodon:email)`.")
            .Resolve(ctx => ctx.Source.Axes.Select(a => a.Key).ToList());
        Field(a => a.K).Description("The smallest group this answer may show.");
        Field(a => a.ComputedAt).Description("When the accounts were counted: the question keeps this answer until it is a day old (`Imail:Statistics:MaxAge`).");
        Field<IntGraphType>("population")
            .Description("Accounts counted: the sum of the groups. Null when fewer than k accounts exist at all (then nothing is shown).")
            .Resolve(ctx => ctx.Source.Release.Population is { } n ? (int)n : null);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StatisticsGroupType>>>>("groups")
            .Description("The groups: listed values first (in code order), then each listed value's rest, then the rest. A cell of listed values that is absent holds no one.")
            .Resolve(ctx => StatisticsGroup.Of(ctx.Source));
        this.Allow(Roles.Partner, Roles.Staff);
    }
}

public sealed record StatisticsDimensionInfo(StatisticsDimension Dimension, string? Argument, bool SharedWithPartners);

public sealed class StatisticsDimensionInfoType : ObjectGraphType<StatisticsDimensionInfo>
{
    public StatisticsDimensionInfoType()
    {
        Name = "StatisticsDimensionInfo";
        Description = "A dimension statistics can count by, and whether the publisher shares it with partners.";
        Field(d => d.Dimension, type: typeof(NonNullGraphType<StatisticsDimensionType>)).Description("The dimension.");
        Field(d => d.Argument, nullable: true).Description("What the axis names besides the dimension (`purpose`, `provider`, `provider and scope`, `policyVersion`); null when nothing.");
        Field(d => d.SharedWithPartners).Description("Whether partners may count by it (`Imail:Statistics:PartnerDimensions`).");
        this.Allow(Roles.Partner, Roles.Staff);
    }
}
