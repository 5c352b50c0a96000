using CityNode.Host.Data;

namespace CityNode.Host.Simulation;

/// <summary>
/// The recordings one run replays: each <c>--data</c> file taken by the columns it holds (its name
/// says nothing), the bundled one of each kind otherwise, only the kinds <c>--kind</c> needs.
/// A file that fits no kind, or a second one of a kind, is refused, not ignored.
/// </summary>
public sealed record CityRecordings(Recording? Air, Recording? Co2, Recording? Water)
{
    public IEnumerable<Recording> All => new[] { Air, Co2, Water }.Where(r => r is not null)!;

    public static CityRecordings Load(SimulationOptions options)
    {
        var given = options.Data.Select(LoadGiven).ToList();
        foreach (var g in given.Where(g => !RecordingKind.All.Any(k => k.Fits(g))))
        {
            throw new FormatException($"--data {g.Source}: not a recording simulate replays: " +
                string.Join("; ", RecordingKind.All.Select(k => $"{k.Name} needs the columns {string.Join(", ", k.Columns)}")) +
                $" (it has {string.Join(", ", g.Columns.Select(x => x.Name))})");
        }

        Recording Pick(RecordingKind kind) => given.FirstOrDefault(kind.Fits) ?? kind.LoadBundled(options.DataFolder);
        var air = options.Kind == "water" ? null : Pick(RecordingKind.Air);
        var co2 = options.Kind == "water" ? null : Pick(RecordingKind.Co2);
        var water = options.Kind == "air" ? null : Pick(RecordingKind.Water);
        foreach (var g in given.Where(g => g != air && g != co2 && g != water))
        {
            var kind = RecordingKind.All.First(k => k.Fits(g));
            throw new FormatException($"--data {g.Source}: {(kind == RecordingKind.Air ? "an" : "a")} {kind.Name} recording, not replayed with --kind {options.Kind} (or a second one of its kind: give one per kind)");
        }

        Check(air, RecordingKind.Air);
        Check(co2, RecordingKind.Co2);
        Check(water, RecordingKind.Water);
        return new CityRecordings(air, co2, water);
    }

    private static Recording LoadGiven(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"--data {path}: no such file");
        }

        try
        {
            return Recording.Load(path);
        }
        catch (FormatException e)
        {
            throw new FormatException($"--data {path}: not a CSV recording ({e.Message})");
        }
    }

    private static void Check(Recording? r, RecordingKind kind)
    {
        foreach (var c in kind.Columns)
        {
            if (r is not null && !r.Has(c))
            {
                throw new FormatException($"{Path.GetFileName(r.Source)}: needs a column '{c}' (has {string.Join(", ", r.Columns.Select(x => x.Name))})");
            }
        }
    }
}
