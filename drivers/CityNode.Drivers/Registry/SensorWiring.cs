using System.Collections;
using CityNode.Config;

namespace CityNode.Drivers.Registry
{
    /// <summary>
    /// The rules for a node's <c>sensor.NAME = placement</c> lines and its <c>sensors</c> list, in one
    /// place: the node applies them when it builds its drivers (<see cref="SensorFactory.Create"/>),
    /// <c>citynode provision</c> and <c>configure</c> before anything is written or sent. Each
    /// refusal names the line, the key and the rule.
    /// </summary>
    public static class SensorWiring
    {
        /// <summary>
        /// Checks every sensor line of <paramref name="doc"/> against its descriptor in
        /// <see cref="SensorCatalog"/> (known driver, a bus the sensor has, an address the chip can
        /// answer on), that no two sensors share a place, and the <c>sensors</c> list (known names). With a <paramref name="board"/>, also that the place exists on that board
        /// (a UART whose pins the profile routes, an ADC1 channel not taken by the battery divider).
        /// Returns the parsed placements in file order.
        /// </summary>
        public static SensorSpec[] Check(ConfigDocument doc, BoardProfile board)
        {
            ArrayList specs = new ArrayList();
            ArrayList lines = new ArrayList();
            for (int i = 0; i < doc.Count; i++)
            {
                string key = doc.Key(i);
                if (key.Length <= 7 || key.Substring(0, 7) != "sensor.")
                {
                    continue;
                }

                string name = key.Substring(7);
                int line = doc.Line(i);
                SensorDescriptor sensor = SensorCatalog.Find(name);
                if (sensor == null)
                {
                    throw new ConfigException(line, key, "no driver for '" + name + "' (known: " + SensorCatalog.Names() + ")");
                }

                SensorSpec spec = SensorSpec.Parse(name, doc.Value(i), line);
                if (spec.Bus != sensor.Bus)
                {
                    throw new ConfigException(line, key, name + " is on " + sensor.Bus + ", not " + spec.Bus);
                }

                string problem = spec.Bus == "i2c" ? sensor.AddressProblem(spec.Address) : null;
                if (problem != null)
                {
                    throw new ConfigException(line, key, problem);
                }

                if (board != null)
                {
                    CheckOnBoard(spec, board, key, line);
                }

                for (int j = 0; j < specs.Count; j++)
                {
                    SensorSpec other = (SensorSpec)specs[j];
                    if (SamePlace(spec, other))
                    {
                        int otherLine = (int)lines[j];
                        throw new ConfigException(line, key, Place(spec) + " is taken by sensor." + other.Name +
                            (otherLine > 0 ? " (line " + otherLine.ToString() + ")" : " (the board profile's default)") + "; one sensor per place");
                    }
                }

                specs.Add(spec);
                lines.Add(line);
            }

            CheckSensorList(doc);
            SensorSpec[] result = new SensorSpec[specs.Count];
            for (int i = 0; i < result.Length; i++)
            {
                result[i] = (SensorSpec)specs[i];
            }

            return result;
        }

        /// <summary>The <c>sensors</c> list names only sensors CityNode has drivers for (whether each is wired is the node config's rule).</summary>
        public static void CheckSensorList(ConfigDocument doc)
        {
            int at = doc.Find("sensors");
            if (at < 0 || doc.Value(at) == "all")
            {
                return;
            }

            string list = doc.Value(at);
            int start = 0;
            while (start < list.Length)
            {
                int comma = list.IndexOf(',', start);
                int end = comma < 0 ? list.Length : comma;
                string name = list.Substring(start, end - start);
                if (name.Length > 0 && SensorCatalog.Find(name) == null)
                {
                    throw new ConfigException(doc.Line(at), "sensors", "no driver for '" + name + "' (known: " + SensorCatalog.Names() + ")");
                }

                start = end + 1;
            }
        }

        private static void CheckOnBoard(SensorSpec s, BoardProfile board, string key, int line)
        {
            if (s.Bus == "uart")
            {
                string port = s.Port.ToLower();
                if (board.Document.Find("pins." + port + "_rx") < 0 || board.Document.Find("pins." + port + "_tx") < 0)
                {
                    throw new ConfigException(line, key, s.Port + " has no pins on board " + board.Id + " (its profile routes " + RoutedPorts(board) +
                        "; add pins." + port + "_rx and pins." + port + "_tx to the profile if it is wired)");
                }
            }
            else if (s.Bus == "adc" && s.Channel == board.BatteryAdcChannel)
            {
                throw new ConfigException(line, key, "ADC channel " + s.Channel.ToString() + " is the battery divider's on board " + board.Id + " (battery.adc_channel); use another ADC1 channel");
            }
        }

        private static string RoutedPorts(BoardProfile board)
        {
            string ports = string.Empty;
            for (int n = 2; n <= 3; n++)
            {
                if (board.Document.Find("pins.com" + n.ToString() + "_rx") >= 0 && board.Document.Find("pins.com" + n.ToString() + "_tx") >= 0)
                {
                    ports += (ports.Length == 0 ? string.Empty : ", ") + "COM" + n.ToString();
                }
            }

            return ports.Length == 0 ? "no serial port" : ports;
        }

        private static bool SamePlace(SensorSpec a, SensorSpec b)
        {
            if (a.Bus != b.Bus)
            {
                return false;
            }

            if (a.Bus == "i2c")
            {
                return a.BusId == b.BusId && a.Address == b.Address;
            }

            return a.Bus == "uart" ? a.Port == b.Port : a.Channel == b.Channel;
        }

        private static string Place(SensorSpec s)
        {
            if (s.Bus == "i2c")
            {
                return "i2c" + s.BusId.ToString() + " address " + SensorDescriptor.Hex(s.Address);
            }

            return s.Bus == "uart" ? s.Port : "ADC channel " + s.Channel.ToString();
        }
    }
}
