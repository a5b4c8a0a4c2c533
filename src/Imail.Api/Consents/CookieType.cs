using GraphQL.Types;
using Imail.Domain.Consents;

namespace Imail.Api.Consents;

public sealed class CookieType : ObjectGraphType<Cookie>
{
    public CookieType()
    {
        Name = "Cookie";
        Description = "A cookie the sites deposit, in the public registry (P5): what it is for, who sets it, how long it lives. No cookie lives more than 13 months from its first deposit.";
        Field(c => c.Name).Description("The cookie's name, as the browser shows it.");
        Field(c => c.Purpose, type: typeof(NonNullGraphType<ConsentPurposeType>)).Description("What it is for; only `NECESSARY` cookies are deposited without consent.");
        Field(c => c.Provider).Description("Who deposits and reads it.");
        Field(c => c.Description).Description("What it holds and does, as the policy shows it.");
        Field(c => c.LifetimeMonths).Description("Lifetime from the first deposit: whole months (0 and 0 days: a session cookie).");
        Field(c => c.LifetimeDays).Description("Lifetime from the first deposit: days added after the months.");
        Field(c => c.IsSystem).Description("Deposited by Imail itself (the consent and session cookies): staff may edit it, not remove it.");
        Field<NonNullGraphType<BooleanGraphType>>("session").Description("True for a session cookie, deleted when the browser closes (lifetime 0 months and 0 days).")
            .Resolve(ctx => ctx.Source.LifetimeMonths == 0 && ctx.Source.LifetimeDays == 0);
        Field<NonNullGraphType<StringGraphType>>("lifetime").Description("The lifetime in words, in English, e.g. `13 months`, `6 months and 15 days`, `session`.")
            .Resolve(ctx => Lifetime(ctx.Source.LifetimeMonths, ctx.Source.LifetimeDays));
        this.AllowAnyone();
    }

    public static string Lifetime(int months, int days) => (months, days) switch
    {
        (0, 0) => "session",
        (_, 0) => Count(months, "month"),
        (0, _) => Count(days, "day"),
        _ => $"{Count(months, "month")} and {Count(days, "day")}",
    };

    private static string Count(int n, string unit) => n == 1 ? $"1 {unit}" : $"{n} {unit}s";
}
