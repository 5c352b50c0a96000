using System.CommandLine;
using CityNode.Host.Stores;

namespace CityNode.Cli.Commands;

/// <summary>The receiver-database options shared by receive, export and energy --from.</summary>
internal static class Stores
{
    public static Option<string?> SqlitePath() =>
        new("--db") { Description = $"SQLite database file (the default store: {TelemetryStores.DefaultSqlitePath})" };

    public static Option<string?> Postgres() =>
        new("--postgres") { Description = "PostgreSQL connection string, e.g. \"Host=db;Database=citynode;Username=citynode\" (Password=... or a ~/.pgpass entry)" };
}
