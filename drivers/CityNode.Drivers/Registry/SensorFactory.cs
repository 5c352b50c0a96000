using System.Collections;
using CityNode.Config;
using CityNode.Sensors;

namespace CityNode.Drivers.Registry
{
    /// <summary>
    /// Builds the drivers a node's configuration names (<c>sensor.NAME = BUS:WHERE[,options]</c>),
    /// in file order, skipping those the <c>sensors</c> key disables: each by its descriptor in
    /// <see cref="SensorCatalog"/>. Unknown sensors, wrong buses and bad calibration are refused with
    /// the line and key. Runs at boot; it allocates.
    /// </summary>
    public static class SensorFactory
    {
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
                    int line = doc.Line(doc.Find("sensor." + specs[i].Name));
                    sensors.Add(SensorCatalog.Get(specs[i].Name).Create(specs[i], config, buses, line));
                }
            }

            ISensor[] result = new ISensor[sensors.Count];
            for (int i = 0; i < result.Length; i++)
            {
                result[i] = (ISensor)sensors[i];
            }

            return result;
        }
    }
}
