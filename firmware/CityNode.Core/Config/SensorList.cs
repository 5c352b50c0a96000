namespace CityNode.Config
{
    /// <summary>The <c>sensors</c> key against the <c>sensor.NAME</c> wiring lines of the same document.</summary>
    internal static class SensorList
    {
        /// <summary>
        /// Every name in <c>sensors</c> must have its <c>sensor.NAME</c> line: a typo would otherwise
        /// switch a sensor off unnoticed (the list only filters the wired ones). Checked at boot and
        /// for every remote document, which is merged over the provisioned wiring.
        /// </summary>
        public static void CheckWired(string sensors, ConfigDocument document)
        {
            if (sensors == "all")
            {
                return;
            }

            string key = ConfigKeys.All[ConfigKeys.Sensors].Name;
            string wire = ConfigKeys.All[ConfigKeys.Sensor].Name;
            int start = 0;
            while (start <= sensors.Length)
            {
                int comma = sensors.IndexOf(',', start);
                int end = comma < 0 ? sensors.Length : comma;
                string name = sensors.Substring(start, end - start);
                int line = document.Line(document.Find(key));
                if (name.Length == 0)
                {
                    throw new ConfigException(line, key, "empty name in '" + sensors + "' (names separated by single commas)");
                }

                if (document.Find(wire + name) < 0)
                {
                    throw new ConfigException(line, key, "'" + name + "' is not wired on this node: no " + wire + name + " line (wired: " + WiredNames(document, wire) + ")");
                }

                start = end + 1;
            }
        }

        private static string WiredNames(ConfigDocument document, string wire)
        {
            string names = string.Empty;
            for (int i = 0; i < document.Count; i++)
            {
                string key = document.Key(i);
                if (key.Length > wire.Length && key.Substring(0, wire.Length) == wire)
                {
                    names += (names.Length == 0 ? string.Empty : ", ") + key.Substring(wire.Length);
                }
            }

            return names.Length == 0 ? "none" : names;
        }
    }
}
