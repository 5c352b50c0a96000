using System.CommandLine;
using CityNode.Host.Mqtt;
using CityNode.Host.Stores;

namespace CityNode.Cli.Commands;

/// <summary>The receiver-database and backend-credential options shared by receive, export, configure and energy --from.</summary>
internal static class Stores
{
    public static Option<string?> SqlitePath() =>
        new("--db") { Description = $"SQLite database file (the default store: {TelemetryStores.DefaultSqlitePath})" };

    public static Option<string?> Postgres() =>
        new("--postgres")
        {
            Description = "PostgreSQL connection string, e.g. \"Host=db;Database=citynode;Username=citynode\" " +
                "(the password from --postgres-password-file, PGPASSWORD or ~/.pgpass, not the string: ps shows it)",
        };

    public static Option<string?> PostgresPasswordFile() =>
        new("--postgres-password-file") { Description = "file whose first line is the PostgreSQL password (instead of Password=... in --postgres)" };

    /// <summary>The broker password, so it need not be in the URL (ps and shell history show it).</summary>
    public static Option<string?> BrokerPasswordFile() =>
        new("--password-file")
        {
            Description = $"file whose first line is the broker password for the URL's user (or set {BrokerCredentials.PasswordVariable}); mqtt://USER@host",
        };
}
