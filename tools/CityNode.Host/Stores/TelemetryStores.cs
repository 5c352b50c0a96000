using CityNode.Host.Mqtt;
using Npgsql;

namespace CityNode.Host.Stores;

/// <summary>Opens the receiver database the command line names: <c>--db PATH</c> (SQLite) or <c>--postgres CONNSTR</c>.</summary>
public static class TelemetryStores
{
    public const string DefaultSqlitePath = "citynode.db";

    /// <summary>
    /// Opens (creating it if missing) the store. The PostgreSQL password may come from
    /// <paramref name="postgresPasswordFile"/>, or as Npgsql reads it itself: PGPASSWORD, ~/.pgpass,
    /// PGPASSFILE — anywhere but the connection string, which <c>ps</c> shows.
    /// </summary>
    public static ITelemetryStore Open(string? sqlitePath, string? postgres, string? postgresPasswordFile = null)
    {
        if (sqlitePath is not null && postgres is not null)
        {
            throw new StoreException("give --db or --postgres, not both");
        }

        if (postgresPasswordFile is not null && postgres is null)
        {
            throw new StoreException($"--postgres-password-file {postgresPasswordFile}: it is the password of --postgres; give --postgres too");
        }

        return postgres is not null ? new PostgresStore(WithPassword(postgres, postgresPasswordFile)) : new SqliteStore(sqlitePath ?? DefaultSqlitePath);
    }

    /// <summary>Opens an existing store for reading (export): a SQLite file that is not there is refused, never created empty.</summary>
    public static ITelemetryStore OpenExisting(string? sqlitePath, string? postgres, string? postgresPasswordFile = null)
    {
        string path = sqlitePath ?? DefaultSqlitePath;
        if (postgres is null && !File.Exists(path))
        {
            throw new StoreException(sqlitePath is null
                ? $"no --db given and no {DefaultSqlitePath} here ({Path.GetFullPath(path)}): name the receiver's database with --db PATH or --postgres CONNSTR"
                : $"--db {sqlitePath}: no such file");
        }

        return Open(sqlitePath, postgres, postgresPasswordFile);
    }

    /// <summary>The connection string with the password read from <c>--postgres-password-file</c> (serve opens its own read-only connections with it).</summary>
    public static string WithPassword(string connectionString, string? passwordFile)
    {
        if (passwordFile is null)
        {
            return connectionString;
        }

        NpgsqlConnectionStringBuilder b;
        try
        {
            b = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new StoreException($"--postgres: {e.Message}", e);
        }

        if (!string.IsNullOrEmpty(b.Password))
        {
            throw new StoreException($"--postgres-password-file {passwordFile}: the connection string has a Password already; give it in one place (the file)");
        }

        try
        {
            b.Password = BrokerCredentials.ReadPasswordFile("--postgres-password-file", passwordFile);
        }
        catch (FormatException e)
        {
            throw new StoreException(e.Message, e);
        }

        return b.ConnectionString;
    }
}
