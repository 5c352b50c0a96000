using CityNode.Host.Data;
using CityNode.Telemetry;

namespace CityNode.Host.Simulation;

/// <summary>
/// A kind of recording the simulated city replays: the file bundled in the data folder and which
/// of its columns feeds which channel. The one table of column names: loading, checking a
/// <c>--data</c> file and feeding a node's surroundings all read it.
/// </summary>
public sealed class RecordingKind
{
    /// <summary>Sensor.Community, Aberdeen (SDS011 + BME280), ~148 s rows.</summary>
    public static readonly RecordingKind Air = new("air", "sensorcommunity_aberdeen_2018-10_slice.csv",
        (Channels.AirTemperature, "temperature_c"),
        (Channels.RelativeHumidity, "humidity_pct"),
        (Channels.AirPressure, "pressure_pa"),
        (Channels.Pm25, "pm25_ugm3"),
        (Channels.Pm10, "pm10_ugm3"));

    /// <summary>UCI Occupancy, 1 min rows (an office's CO2: no public street recording of CO2 at this rate).</summary>
    public static readonly RecordingKind Co2 = new("CO2", "uci_occupancy_2015-02_slice.csv", (Channels.Co2, "CO2"));

    /// <summary>USGS 03401385 Davis Branch (KY), 15 min rows.</summary>
    public static readonly RecordingKind Water = new("water", "usgs_03401385_davis_branch_ky_2014-03_slice.csv",
        (Channels.WaterTemperature, "water_temp_c"),
        (Channels.Ph, "ph"),
        (Channels.Conductivity, "spec_cond_uscm_25c"),
        (Channels.DissolvedOxygen, "dissolved_oxygen_mgl"),
        (Channels.Turbidity, "turbidity_fnu"));

    public static readonly IReadOnlyList<RecordingKind> All = [Air, Co2, Water];

    private RecordingKind(string name, string bundled, params (int Channel, string Column)[] map)
    {
        Name = name;
        Bundled = bundled;
        Map = map;
    }

    public string Name { get; }

    /// <summary>File name in the data folder.</summary>
    public string Bundled { get; }

    public IReadOnlyList<(int Channel, string Column)> Map { get; }

    public IEnumerable<string> Columns => Map.Select(m => m.Column);

    /// <summary>Whether a recording holds every column this kind needs.</summary>
    public bool Fits(Recording r) => Columns.All(r.Has);

    public Recording LoadBundled(string dataFolder) => Recording.Load(Path.Combine(dataFolder, Bundled));

    /// <summary>The surroundings of a node that starts at <paramref name="nodeStartUnix"/>, <paramref name="startRow"/> into the recording.</summary>
    public Surroundings Around(Recording r, int startRow, long nodeStartUnix)
    {
        var s = new Surroundings(r, startRow, nodeStartUnix);
        foreach (var (channel, column) in Map)
        {
            s.Map(channel, column);
        }

        return s;
    }
}
