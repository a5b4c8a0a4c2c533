using System.Diagnostics;

namespace Imail.Testing;

/// <summary>Polls until real asynchronous work (another host, another process) has happened, or fails after a timeout.</summary>
public static class Eventually
{
    public static async Task<T> Async<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(15);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (done(value)) return value;
            if (clock.Elapsed > limit) throw new TimeoutException($"Not within {limit.TotalSeconds:0.#} s: {what}; last seen: {value}");
            await Task.Delay(10);
        }
    }
}
