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
            ArrayList sensors = new ArrayList();
            for (int i = 0; i < doc.Count; i++)
            {
                string key = doc.Key(i);
                if (key.Length <= 7 || key.Substring(0, 7) != "sensor.")
                {
                    continue;
                }

                string name = key.Substring(7);
                if (!IsKnown(name))
                {
                    throw new ConfigException(doc.Line(i), key, "no driver for '" + name + "' (known: bme280, bme680, pms5003, sds011, scd41, ezo_ph, ezo_ec, ezo_do, ezo_orp, ezo_rtd, turbidity, tds, analog_ph)");
                }

                SensorSpec spec = SensorSpec.Parse(name, doc.Value(i), doc.Line(i));
                if (!config.IsSensorEnabled(name))
                {
                    continue;
                }

                sensors.Add(Build(spec, config, buses, doc.Line(i)));
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
            string key = "sensor." + s.Name;
            switch (s.Name)
            {
                case "bme280":
                case "bme680":
                    Require(s, "i2c", key, line);
                    return new Bmxx80Sensor(new GuardedBmxx80Port(buses.Bmxx80(s.BusId, s.Address, s.Name == "bme680")), buses.I2c(s.BusId), s.Address);
                case "pms5003":
                    Require(s, "uart", key, line);
                    return new Pms5003.Pms5003(buses.Uart(s.Port, 9600), buses.Clock);
                case "sds011":
                    Require(s, "uart", key, line);
                    return new Sds011.Sds011(buses.Uart(s.Port, 9600), buses.Clock);
                case "scd41":
                    Require(s, "i2c", key, line);
                    return new Scd4x.Scd4x(buses.I2c(s.BusId), buses.Clock, s.Altitude);
                case "ezo_ph":
                case "ezo_ec":
                case "ezo_do":
                case "ezo_orp":
                case "ezo_rtd":
                    Require(s, "i2c", key, line);
                    return new EzoCircuit(buses.I2c(s.BusId), buses.Clock, Kind(s.Name), s.Address);
                case "turbidity":
                    Require(s, "adc", key, line);
                    return new Turbidity(buses.Adc(), s.Channel, s.DividerNumerator, s.DividerDenominator, (int)(Calibration(config, "turbidity", 0) / 1000000));
                case "tds":
                    Require(s, "adc", key, line);
                    return new Tds(buses.Adc(), s.Channel, s.DividerNumerator, s.DividerDenominator, Calibration(config, "tds", 1000000));
                default:
                    Require(s, "adc", key, line);
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

        private static void Require(SensorSpec s, string bus, string key, int line)
        {
            if (s.Bus != bus)
            {
                throw new ConfigException(line, key, s.Name + " is on " + bus + ", not " + s.Bus);
            }
        }
    }
}
