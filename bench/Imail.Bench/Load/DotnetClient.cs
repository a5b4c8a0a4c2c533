using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace Imail.Bench.Load;

/// <summary>
/// The fallback load generator: <c>connections</c> loops over one HttpClient (SocketsHttpHandler),
/// each sending the next request when the last answer has been read. It runs in the bench process,
/// beside the servers, so its own cost weighs on both sides alike and pulls ratios toward 1.
/// </summary>
public sealed class DotnetClient(int connections) : ILoadClient
{
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = connections,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        UseCookies = false,
    })
    { Timeout = TimeSpan.FromSeconds(10) };

    public string Description => $".NET HttpClient in-process, {connections} concurrent loops";

    public async Task<LoadResult> RunAsync(LoadTarget target, TimeSpan duration, CancellationToken ct)
    {
        var body = Encoding.UTF8.GetBytes(target.Body);
        var auth = target.Token is null ? null : new AuthenticationHeaderValue("Bearer", target.Token);
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long failures = 0;

        async Task<List<long>> Loop()
        {
            var latencies = new List<long>(4096);
            while (Stopwatch.GetTimestamp() < deadline && !ct.IsCancellationRequested)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, target.Url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Accept.ParseAdd("application/graphql-response+json, application/json");
                request.Headers.Authorization = auth;
                var sent = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
                    if (!response.IsSuccessStatusCode) Interlocked.Increment(ref failures);
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failures);
                }
                latencies.Add(Stopwatch.GetTimestamp() - sent);
            }
            return latencies;
        }

        var all = (await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => Task.Run(Loop, ct)))).SelectMany(l => l).ToArray();
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Array.Sort(all);
        double Percentile(double p) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)(p * all.Length))] * 1000.0 / Stopwatch.Frequency;
        return new LoadResult(all.Length / elapsed, Percentile(0.50), Percentile(0.99), all.Length, failures);
    }
}
