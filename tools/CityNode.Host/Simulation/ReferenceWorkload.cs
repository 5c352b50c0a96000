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
    public const string UciRecording = "uci_occupancy_2015-02_slice.csv";

    public static (Environment Env, ChannelSpec Spec)[] Channels(string dataFolder, long startUnix, int offsetRows = 0)
    {
        var air = Recording.Load(Path.Combine(dataFolder, CitySimulation.AirRecording));
        var uci = Recording.Load(Path.Combine(dataFolder, UciRecording));
        var a = new Environment(air, offsetRows % air.Rows, startUnix)
            .Map(Telemetry.Channels.AirTemperature, "temperature_c")
            .Map(Telemetry.Channels.RelativeHumidity, "humidity_pct")
            .Map(Telemetry.Channels.AirPressure, "pressure_pa")
            .Map(Telemetry.Channels.Pm25, "pm25_ugm3")
            .Map(Telemetry.Channels.Pm10, "pm10_ugm3");
        var u = new Environment(uci, offsetRows % uci.Rows, startUnix)
            .Map(Telemetry.Channels.Co2, "CO2")
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
