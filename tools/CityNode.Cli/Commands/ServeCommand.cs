using System.CommandLine;
using CityNode.Host.Provisioning;
using CityNode.Host.Stores;
using CityNode.Serve;

namespace CityNode.Cli.Commands;

/// <summary><c>citynode serve</c>: open-data pages and API for citizens, the fleet view for technicians (docs/open-data.md).</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var db = Stores.SqlitePath();
        var postgres = Stores.Postgres();
        var postgresPassword = Stores.PostgresPasswordFile();
        var listen = new Option<string>("--listen") { Description = "ADDRESS:PORT to serve on (0.0.0.0:8080 for all interfaces)", DefaultValueFactory = _ => "127.0.0.1:8080" };
        var registry = new Option<string?>("--registry") { Description = $"node registry with names and locations (default: {NodeRegistry.DefaultFileName} if it exists; written by provision/configure --name --location)" };
        var token = new Option<string?>("--fleet-token-file") { Description = "file whose first line is the token that opens /fleet (at least 16 characters); without it /fleet is refused" };
        var board = new Option<string>("--board") { Description = "board profile for the fleet's days-left figures (as energy --board)", DefaultValueFactory = _ => "reference" };
        var capacity = new Option<int?>("--capacity") { Description = "battery capacity in mAh for days left (default: the board's)" };
        var command = new Command("serve", "Serve open data (map, node pages, GeoJSON/SenML/CSV API) and the technicians' fleet view from a receiver database, read-only")
        {
            db, postgres, postgresPassword, listen, registry, token, board, capacity,
        };
        command.SetAction(async (parse, ct) =>
        {
            string? dbPath = parse.GetValue(db);
            string? pg = parse.GetValue(postgres);
            if (dbPath is null && pg is null)
            {
                dbPath = TelemetryStores.DefaultSqlitePath;
            }

            string? reg = parse.GetValue(registry);
            if (reg is not null && !File.Exists(reg))
            {
                await Console.Error.WriteLineAsync($"serve: --registry {reg}: no such file (provision --name/--location writes one)");
                return 1;
            }

            if (parse.GetValue(capacity) is <= 0)
            {
                await Console.Error.WriteLineAsync("serve: --capacity must be a positive number of mAh");
                return 1;
            }

            var options = new ServeOptions
            {
                Database = pg is null ? dbPath : null,
                Postgres = pg,
                Listen = parse.GetValue(listen)!,
                Registry = reg ?? (File.Exists(NodeRegistry.DefaultFileName) ? NodeRegistry.DefaultFileName : null),
                FleetTokenFile = parse.GetValue(token),
                Board = parse.GetValue(board)!,
                CapacityMah = parse.GetValue(capacity),
            };
            if (dbPath is not null && pg is not null)
            {
                await Console.Error.WriteLineAsync("serve: give --db or --postgres, not both");
                return 1;
            }

            ServeHost host;
            try
            {
                if (parse.GetValue(postgresPassword) is string passwordFile)
                {
                    options.Postgres = options.Postgres is null
                        ? throw new StoreException($"--postgres-password-file {passwordFile}: it is the password of --postgres; give --postgres too")
                        : TelemetryStores.WithPassword(options.Postgres, passwordFile);
                }

                CityNode.Host.Reports.Boards.Load(options.Board); // names a bad board now, not on the fleet page
                host = await ServeHost.StartAsync(options, ct);
            }
            catch (Exception e) when (e is StoreException or FormatException or FileNotFoundException)
            {
                await Console.Error.WriteLineAsync("serve: " + e.Message);
                return 1;
            }

            await using (host)
            {
                await Console.Out.WriteLineAsync($"serve: open data on {host.Url} (API: {host.Url}api/nodes); fleet view on {host.Url}fleet " +
                    (options.FleetTokenFile is null ? "(off: no --fleet-token-file)" : "(token required)") + "; Ctrl+C stops");
                if (!host.Indexed || !host.HasLatestTables)
                {
                    await Console.Error.WriteLineAsync($"serve: warning: the database lacks the index {ServeStore.NodeTimeIndex} or the tables {StoreSchema.Latest} and {StoreSchema.LatestNodes}; " +
                        "latest values search the readings, slowly at city scale (open it once with receive of this version, which adds them)");
                }

                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                catch (OperationCanceledException)
                {
                }
            }

            return 0;
        });
        return command;
    }
}
