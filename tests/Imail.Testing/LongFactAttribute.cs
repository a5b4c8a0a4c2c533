namespace Imail.Testing;

/// <summary>A long soak or chaos test: runs only with <c>IMAIL_LONG_TESTS=1</c>, so the default suite stays fast.</summary>
public sealed class LongFactAttribute : Xunit.FactAttribute
{
    public LongFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("IMAIL_LONG_TESTS") != "1") Skip = "Long test: set IMAIL_LONG_TESTS=1 to run it.";
    }
}
