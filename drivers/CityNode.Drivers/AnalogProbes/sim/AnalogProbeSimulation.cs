using CityNode.Drivers.Registry.Sim;
using CityNode.Telemetry;

namespace CityNode.Drivers.AnalogProbes.Sim;

/// <summary>The analog probes' outputs (<see cref="AnalogProbeModels"/>) on the placement's ADC channel, through its divider.</summary>
public sealed class AnalogProbeSimulation : ISensorSimulation
{
    public IReadOnlyList<string> Sensors { get; } = ["turbidity", "tds", "analog_ph"];

    public object? Attach(SimulatedPlacement at)
    {
        Func<double> probe = at.Sensor.Name switch
        {
            "turbidity" => () => AnalogProbeModels.TurbidityMillivolts(at.Raw(Channels.Turbidity, 4)),
            "tds" => () => AnalogProbeModels.TdsMillivolts(at.Raw(Channels.TotalDissolvedSolids, 210), at.Raw(Channels.WaterTemperature, 14.5)),
            _ => () => AnalogProbeModels.PhMillivolts(at.Raw(Channels.Ph, 7.4), at.Raw(Channels.WaterTemperature, 14.5)),
        };
        at.OnAdc(probe);
        return null;
    }
}
