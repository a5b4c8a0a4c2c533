using System.Net.Sockets;
using Npgsql;

namespace Imail.Api.Hosting;

/// <summary>
/// Tells "PostgreSQL is away" from every other database error: the failures a client can do
/// nothing about but wait and send the same request again. They arrive wrapped (EF Core's
/// "likely due to a transient failure" InvalidOperationException, a DbUpdateException, a
/// DataLoader's task), so the whole chain of inner exceptions is searched.
/// </summary>
public static class DatabaseOutage
{
    public static bool Is(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException postgres:
                    return IsOutage(postgres.SqlState);
                case NpgsqlException npgsql when npgsql.IsTransient:
                    return true; // no answer: refused, reset, timed out, pool exhausted
                case SocketException or TimeoutException:
                    return true;
                case AggregateException aggregate when aggregate.InnerExceptions.Count > 0:
                    return aggregate.InnerExceptions.All(Is);
            }
        }
        return false;
    }

    // By SQLSTATE rather than PostgresException.IsTransient, which also counts deadlocks and
    // serialization failures: those are answers of a working server, and the mutations retry them.
    private static bool IsOutage(string sqlState) =>
        sqlState.StartsWith("08", StringComparison.Ordinal) // connection exception
        || sqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
            or PostgresErrorCodes.TooManyConnections
            or PostgresErrorCodes.InvalidCatalogName; // the database is gone (dropped, or not restored yet)
}
