using System.Diagnostics.Metrics;

namespace Imail.Bench.Measure;

/// <summary>
/// Counts requests as the servers in this process finish them, from ASP.NET Core's own
/// <c>http.server.request.duration</c> instrument. It lets a round be measured over a window in
/// the middle of the load, away from its start and from its end, where the load generator drops
/// connections with requests in flight (the API then cancels their SQL, which costs PostgreSQL a
/// cancel request and Npgsql a reconnection: noise that has nothing to do with GraphQL).
/// </summary>
public sealed class RequestCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _completed;
    private long _failed;

    public RequestCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Microsoft.AspNetCore.Hosting" && instrument.Name == "http.server.request.duration")
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            Interlocked.Increment(ref _completed);
            foreach (var tag in tags)
                if (tag.Key == "http.response.status_code" && tag.Value is int status && status >= 400)
                    Interlocked.Increment(ref _failed);
        });
        _listener.Start();
    }

    public long Completed => Interlocked.Read(ref _completed);
    public long Failed => Interlocked.Read(ref _failed);

    public void Dispose() => _listener.Dispose();
}
