namespace CityNode.Host.Stores;

/// <summary>Opens the receiver database the command line names: <c>--db PATH</c> (SQLite) or <c>--postgres CONNSTR</c>.</summary>
public static class TelemetryStores
{
    public const string DefaultSqlitePath = "citynode.db";

    public static ITelemetryStore Open(string? sqlitePath, string? postgres)
    {
        if (sqlitePath is not null && postgres is not null)
        {
            throw new StoreException("give --db or --postgres, not both");
        }

        return postgres is not null ? new PostgresStore(postgres) : new SqliteStore(sqlitePath ?? DefaultSqlitePath);
    }
}
