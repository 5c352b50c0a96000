using CityNode.Host.Data;
using CityNode.Telemetry;

namespace CityNode.Host.Simulation;

/// <summary>
/// The reference workload of the storage and energy figures: an air node with 8 channels sampled
/// once a minute, fed from real recordings — Sensor.Community (Aberdeen: temperature 0.01 °C,
/// humidity 0.01 %, pressure 1 Pa, PM2.5 and PM10 0.1 µg/m³, held between its ~148 s rows) and
/// UCI Occupancy (1 min: CO2 1 ppm, light 1 lx, indoor temperature 0.01 °C).
/// </summary>
public static class ReferenceWorkload
{
    public static (Surroundings Env, ChannelSpec Spec)[] Channels(string dataFolder, long startUnix, int offsetRows = 0)
    {
        var air = RecordingKind.Air.LoadBundled(dataFolder);
        var uci = RecordingKind.Co2.LoadBundled(dataFolder);
        var a = RecordingKind.Air.Around(air, offsetRows % air.Rows, startUnix);
        // The UCI recording's other columns: the reference workload's eight channels.
        var u = RecordingKind.Co2.Around(uci, offsetRows % uci.Rows, startUnix)
            .Map(Telemetry.Channels.Light, "Light")
            .Map(Telemetry.Channels.FirstCustom, "Temperature");
        return new[]
        {
            (a, new ChannelSpec(Telemetry.Channels.AirTemperature, Units.Celsius, 1, -2)),
            (a, new ChannelSpec(Telemetry.Channels.RelativeHumidity, Units.RelativeHumidityPercent, 1, -2)),
            (a, new ChannelSpec(Telemetry.Channels.AirPressure, Units.Pascal, 1, 0)),
            (a, new ChannelSpec(Telemetry.Channels.Pm25, Units.MicrogramPerCubicMetre, 1, -1)),
            (a, new ChannelSpec(Telemetry.Channels.Pm10, Units.MicrogramPerCubicMetre, 1, -1)),
            (u, new ChannelSpec(Telemetry.Channels.Co2, Units.PartsPerMillion, 1, 0)),
            (u, new ChannelSpec(Telemetry.Channels.Light, Units.Lux, 1, 0)),
            (u, new ChannelSpec(Telemetry.Channels.FirstCustom, Units.Celsius, 1, -2)),
        };
    }
}
