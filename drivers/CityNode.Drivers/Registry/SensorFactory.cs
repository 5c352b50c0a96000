using System.Collections;
using CityNode.Config;
using CityNode.Drivers.AnalogProbes;
using CityNode.Drivers.AtlasEzo;
using CityNode.Drivers.Bmxx80;
using CityNode.Drivers.Pms5003;
using CityNode.Drivers.Scd4x;
using CityNode.Drivers.Sds011;
using CityNode.Sensors;

namespace CityNode.Drivers.Registry
{
    /// <summary>
    /// Builds the drivers a node's configuration names (<c>sensor.NAME = BUS:WHERE[,options]</c>),
    /// in file order, skipping those the <c>sensors</c> key disables. Unknown sensors, wrong buses
    /// and bad calibration are refused with the line and key. Runs at boot; it allocates.
    /// </summary>
    public static class SensorFactory
    {
        /// <summary>Sensor names CityNode has drivers for.</summary>
        public static readonly string[] Known = new string[]
        {
            "bme280", "bme680", "pms5003", "sds011", "scd41", "ezo_ph", "ezo_ec", "ezo_do", "ezo_orp", "ezo_rtd", "turbidity", "tds", "analog_ph",
        };

        public static ISensor[] Create(NodeConfig config, IBusProvider buses)
        {
            ConfigDocument doc = config.Document;
            // On a platform whose buses come from the board profile (the ESP32 glue), its pins and battery channel are checked too.
            BoardBuses board = buses as BoardBuses;
            SensorSpec[] specs = SensorWiring.Check(doc, board == null ? null : board.Board);
            ArrayList sensors = new ArrayList();
            for (int i = 0; i < specs.Length; i++)
            {
                if (config.IsSensorEnabled(specs[i].Name))
                {
                    sensors.Add(Build(specs[i], config, buses, doc.Line(doc.Find("sensor." + specs[i].Name))));
                }
            }

            ISensor[] result = new ISensor[sensors.Count];
            for (int i = 0; i < result.Length; i++)
            {
                result[i] = (ISensor)sensors[i];
            }

            return result;
        }

        public static bool IsKnown(string name)
        {
            for (int i = 0; i < Known.Length; i++)
            {
                if (Known[i] == name)
                {
                    return true;
                }
            }

            return false;
        }

        private static ISensor Build(SensorSpec s, NodeConfig config, IBusProvider buses, int line)
        {
            switch (s.Name)
            {
                case "bme280":
                case "bme680":
                    return new Bmxx80Sensor(new GuardedBmxx80Port(buses.Bmxx80(s.BusId, s.Address, s.Name == "bme680")), buses.I2c(s.BusId), s.Address);
                case "pms5003":
                    return new Pms5003.Pms5003(buses.Uart(s.Port, 9600), buses.Clock);
                case "sds011":
                    return new Sds011.Sds011(buses.Uart(s.Port, 9600), buses.Clock);
                case "scd41":
                    return new Scd4x.Scd4x(buses.I2c(s.BusId), buses.Clock, s.Altitude);
                case "ezo_ph":
                case "ezo_ec":
                case "ezo_do":
                case "ezo_orp":
                case "ezo_rtd":
                    return new EzoCircuit(buses.I2c(s.BusId), buses.Clock, Kind(s.Name), s.Address);
                case "turbidity":
                    return new Turbidity(buses.Adc(), s.Channel, s.DividerNumerator, s.DividerDenominator, (int)(Calibration(config, "turbidity", 0) / 1000000));
                case "tds":
                    return new Tds(buses.Adc(), s.Channel, s.DividerNumerator, s.DividerDenominator, Calibration(config, "tds", 1000000));
                default:
                    try
                    {
                        return new AnalogPh(buses.Adc(), s.Channel, s.DividerNumerator, s.DividerDenominator, config.Calibration("ph"));
                    }
                    catch (ConfigException e)
                    {
                        int at = config.Document.Find("calibration.ph");
                        throw new ConfigException(at >= 0 ? config.Document.Line(at) : line, e.Key, e.Problem);
                    }
            }
        }

        private static long Calibration(NodeConfig config, string name, long fallback)
        {
            string text = config.Calibration(name);
            if (text == null)
            {
                return fallback;
            }

            long v;
            if (!ValueParser.TryMicro(text, out v) || v <= 0)
            {
                int at = config.Document.Find("calibration." + name);
                throw new ConfigException(at >= 0 ? config.Document.Line(at) : 0, "calibration." + name, "'" + text + "' is not a positive number");
            }

            return v;
        }

        private static EzoKind Kind(string name)
        {
            switch (name)
            {
                case "ezo_ph": return EzoKind.Ph;
                case "ezo_ec": return EzoKind.Ec;
                case "ezo_do": return EzoKind.Do;
                case "ezo_orp": return EzoKind.Orp;
                default: return EzoKind.Rtd;
            }
        }
    }
}
