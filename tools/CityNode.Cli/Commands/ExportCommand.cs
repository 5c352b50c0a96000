using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using CityNode.Host.Receiving;
using CityNode.Host.Stores;

namespace CityNode.Cli.Commands;

/// <summary><c>citynode export --senml</c>: open data from a receiver database.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var senml = new Option<bool>("--senml") { Description = "SenML JSON (RFC 8428), the only format so far" };
        var db = Stores.SqlitePath();
        var postgres = Stores.Postgres();
        var postgresPassword = Stores.PostgresPasswordFile();
        var output = new Option<string?>("--out") { Description = "write to this file (default: standard output)" };
        var force = new Option<bool>("--force") { Description = "overwrite the --out file if it exists" };
        var node = new Option<uint?>("--node") { Description = "only this node id" };
        var since = new Option<string?>("--since") { Description = "only readings at or after this time (ISO 8601, e.g. 2026-11-01T00:00Z, or unix seconds)" };
        var until = new Option<string?>("--until") { Description = "only readings at or before this time" };
        var command = new Command("export", "Write stored readings as open data")
        {
            senml, db, postgres, postgresPassword, output, force, node, since, until,
        };
        command.SetAction(parse =>
        {
            if (!parse.GetValue(senml))
            {
                Console.Error.WriteLine("export: choose a format: --senml");
                return 1;
            }

            long? from, to;
            try
            {
                from = Time("--since", parse.GetValue(since));
                to = Time("--until", parse.GetValue(until));
            }
            catch (FormatException e)
            {
                Console.Error.WriteLine("export: " + e.Message);
                return 1;
            }

            string? path = parse.GetValue(output);
            if (path is not null)
            {
                string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
                if (dir is not null && !Directory.Exists(dir))
                {
                    Console.Error.WriteLine($"export: --out {path}: the directory {dir} does not exist; create it first");
                    return 1;
                }

                if (File.Exists(path) && !parse.GetValue(force))
                {
                    Console.Error.WriteLine($"export: --out {path}: the file exists; --force overwrites it");
                    return 1;
                }
            }

            ITelemetryStore store;
            try
            {
                store = TelemetryStores.OpenExisting(parse.GetValue(db), parse.GetValue(postgres), parse.GetValue(postgresPassword));
            }
            catch (StoreException e)
            {
                Console.Error.WriteLine("export: " + e.Message);
                return 1;
            }

            using var _ = store;
            long written, leftOut;
            using (Stream stream = path is null ? new TextWriterStream(Console.Out) : File.Create(path))
            using (var w = new Utf8JsonWriter(stream))
            {
                w.WriteStartArray();
                written = Senml.WriteReadings(w, Flushing(store.Readings(parse.GetValue(node), from, to), w), out leftOut);
                w.WriteEndArray();
            }

            if (path is null)
            {
                Console.WriteLine();
            }

            Console.Error.WriteLine($"export: {written} SenML records" + (path is null ? "" : $" written to {path}") +
                (leftOut > 0 ? $"; {leftOut} fault or invalid readings left out (no value; the database keeps them with their status, see readings_v)" : ""));
            return 0;
        });
        return command;
    }

    /// <summary>Flushes the writer every few thousand readings so a city's export streams instead of filling memory.</summary>
    private static IEnumerable<Reading> Flushing(IEnumerable<Reading> readings, Utf8JsonWriter w)
    {
        int n = 0;
        foreach (var r in readings)
        {
            yield return r;
            if (++n % 4096 == 0)
            {
                w.Flush();
            }
        }
    }

    private static long? Time(string option, string? text)
    {
        if (text is null)
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long unix))
        {
            return unix;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
        {
            return t.ToUnixTimeSeconds();
        }

        throw new FormatException($"{option} '{text}': not a time (ISO 8601 like 2026-11-01T00:00Z, or unix seconds)");
    }
}
