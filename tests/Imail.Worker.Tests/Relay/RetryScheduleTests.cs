using Imail.Worker.Relay;

namespace Imail.Worker.Tests.Relay;

public class RetryScheduleTests
{
    [Fact]
    public void Waits_DoubleFromFiveSeconds_UpToAnHour()
    {
        var nominal = RetrySchedule.Nominal(new RelayOptions()).Select(t => (int)t.TotalSeconds).ToArray();

        Assert.Equal([5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600, 3600, 3600], nominal);
        // 15 attempts span about 5 h 25 min before a message becomes a dead letter.
        Assert.InRange(nominal.Sum(), 5 * 3600, 6 * 3600);
    }

    [Theory]
    [InlineData(0.0, 4.0)]
    [InlineData(0.5, 5.0)]
    [InlineData(0.999999, 6.0)]
    public void Jitter_SpreadsEachWait_ByTwentyPercent(double random, double seconds)
    {
        Assert.Equal(seconds, RetrySchedule.Delay(new RelayOptions(), 1, random).TotalSeconds, precision: 3);
    }

    [Fact]
    public void AbsurdAttemptCounts_StayAtTheCap()
    {
        Assert.Equal(TimeSpan.FromHours(1), RetrySchedule.Delay(new RelayOptions(), 10_000, 0.5));
    }
}
