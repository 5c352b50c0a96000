using CityNode.Config;
using CityNode.Drivers.Registry;
using CityNode.Sensors;
using CityNode.Telemetry;

namespace CityNode.Drivers.AnalogProbes
{
    /// <summary>DFRobot SEN0189 analog turbidity probe on an ADC1 channel (see README.md).</summary>
    public sealed class TurbidityDescriptor : SensorDescriptor
    {
        internal static readonly ChannelSpec[] Table = new ChannelSpec[] { new ChannelSpec(Channels.Turbidity, Units.Ntu, 1, 0) };

        public TurbidityDescriptor()
            : base("turbidity", "adc:4,divider=2/1", Table)
        {
            Microamps = 40000;        // SEN0189: 40 mA max
            OnMilliseconds = 200;     // powered for the 9 conversions
            CalibrationKey = "turbidity";
        }

        public override ISensor Create(SensorSpec at, NodeConfig config, IBusProvider buses, int line)
        {
            return new Turbidity(buses.Adc(), at.Channel, at.DividerNumerator, at.DividerDenominator, (int)(PositiveCalibration(config, CalibrationKey, 0) / 1000000));
        }
    }

    /// <summary>DFRobot SEN0244 analog TDS probe (TDS and the conductivity it implies), compensated with the water temperature (see README.md).</summary>
    public sealed class TdsDescriptor : SensorDescriptor
    {
        internal static readonly ChannelSpec[] Table = new ChannelSpec[]
        {
            new ChannelSpec(Channels.TotalDissolvedSolids, Units.MilligramPerLitre, 1, 0),
            new ChannelSpec(Channels.Conductivity, Units.MicrosiemensPerCentimetre, 1, 0),
        };

        public TdsDescriptor()
            : base("tds", "adc:5", Table)
        {
            Microamps = 6000;         // SEN0244: 3–6 mA
            OnMilliseconds = 200;     // powered for the 9 conversions
            CompensatedBy = new int[] { Channels.WaterTemperature };
            CalibrationKey = "tds";
        }

        public override ISensor Create(SensorSpec at, NodeConfig config, IBusProvider buses, int line)
        {
            return new Tds(buses.Adc(), at.Channel, at.DividerNumerator, at.DividerDenominator, PositiveCalibration(config, CalibrationKey, 1000000));
        }
    }

    /// <summary>Analog pH module (DFRobot SEN0161/SEN0169) calibrated in buffers, Nernst-corrected with the water temperature (see README.md).</summary>
    public sealed class AnalogPhDescriptor : SensorDescriptor
    {
        internal static readonly ChannelSpec[] Table = new ChannelSpec[] { new ChannelSpec(Channels.Ph, Units.PH, 1, -2) };

        public AnalogPhDescriptor()
            : base("analog_ph", "adc:3", Table)
        {
            Microamps = 10000;        // SEN0161 module: 5–10 mA
            OnMilliseconds = 200;     // powered for the 9 conversions
            CompensatedBy = new int[] { Channels.WaterTemperature };
            CalibrationKey = "ph";
        }

        public override ISensor Create(SensorSpec at, NodeConfig config, IBusProvider buses, int line)
        {
            try
            {
                return new AnalogPh(buses.Adc(), at.Channel, at.DividerNumerator, at.DividerDenominator, config.Calibration(CalibrationKey));
            }
            catch (ConfigException e)
            {
                // The calibration parser knows the problem, the document knows the line.
                int found = config.Document.Find("calibration." + CalibrationKey);
                throw new ConfigException(found >= 0 ? config.Document.Line(found) : line, e.Key, e.Problem);
            }
        }
    }
}
