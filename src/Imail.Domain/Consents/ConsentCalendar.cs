namespace Imail.Domain.Consents;

/// <summary>
/// Month arithmetic on the publisher's wall clock (Europe/Brussels by default). "13 months from
/// the first deposit" ends at the first instant the local clock reads the same date and time 13
/// months later; a day the month lacks (31 January → February) is the month's last day. So the
/// period never runs past 13 months as a person in Belgium reads a calendar, across daylight-
/// saving changes too: a time the clock skips ends at the jump, a time it reads twice ends at
/// its first reading.
/// </summary>
public static class ConsentCalendar
{
    public static DateTimeOffset AddMonths(DateTimeOffset start, int months, TimeZoneInfo zone)
    {
        var local = DateTime.SpecifyKind(TimeZoneInfo.ConvertTime(start, zone).DateTime, DateTimeKind.Unspecified);
        return FirstInstantReading(local.AddMonths(months), zone);
    }

    /// <summary>The first instant at which the zone's clock reads <paramref name="local"/> or later.</summary>
    public static DateTimeOffset FirstInstantReading(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsAmbiguousTime(local))
        {
            // Read twice (autumn): the larger offset is the earlier reading.
            var offset = zone.GetAmbiguousTimeOffsets(local).Max();
            return new DateTimeOffset(local, offset).ToUniversalTime();
        }
        if (!zone.IsInvalidTime(local)) return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();

        // Skipped (spring): the clock jumps over it; the first instant reading later is the jump.
        // Reading is monotonic around a jump, so bisect on the instants that could read it.
        var low = new DateTimeOffset(local, TimeSpan.FromHours(14)).UtcTicks;
        var high = new DateTimeOffset(local, TimeSpan.FromHours(-14)).UtcTicks;
        while (low < high)
        {
            var mid = low + (high - low) / 2;
            var reads = TimeZoneInfo.ConvertTime(new DateTimeOffset(mid, TimeSpan.Zero), zone).DateTime;
            if (reads >= local) high = mid; else low = mid + 1;
        }
        return new DateTimeOffset(low, TimeSpan.Zero);
    }
}
