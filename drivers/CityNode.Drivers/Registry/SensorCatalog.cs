using System;
using CityNode.Drivers.AtlasEzo;

namespace CityNode.Drivers.Registry
{
    /// <summary>
    /// The sensors CityNode has drivers for: one descriptor each, declared in the sensor's folder.
    /// This list is the only place that names them all (the factory, the wiring rules and their
    /// "known:" refusals, the energy model and the host's simulated hardware read it). Adding a
    /// sensor: its folder and one line here (DEVELOPERS.md, "Add a sensor").
    /// </summary>
    public static class SensorCatalog
    {
        // One line per sensor, namespace-qualified so that a new one adds nothing else to this file.
        public static readonly SensorDescriptor[] All = new SensorDescriptor[]
        {
            new Bmxx80.Bme280Descriptor(),
            new Bmxx80.Bme680Descriptor(),
            new Pms5003.Pms5003Descriptor(),
            new Sds011.Sds011Descriptor(),
            new Scd4x.Scd41Descriptor(),
            new AtlasEzo.EzoDescriptor(EzoKind.Ph),
            new AtlasEzo.EzoDescriptor(EzoKind.Ec),
            new AtlasEzo.EzoDescriptor(EzoKind.Do),
            new AtlasEzo.EzoDescriptor(EzoKind.Orp),
            new AtlasEzo.EzoDescriptor(EzoKind.Rtd),
            new AnalogProbes.TurbidityDescriptor(),
            new AnalogProbes.TdsDescriptor(),
            new AnalogProbes.AnalogPhDescriptor(),
            new Sht4x.Sht4xDescriptor(),
        };

        /// <summary>The descriptor named <paramref name="name"/>, or null.</summary>
        public static SensorDescriptor Find(string name)
        {
            for (int i = 0; i < All.Length; i++)
            {
                if (All[i].Name == name)
                {
                    return All[i];
                }
            }

            return null;
        }

        /// <summary>The descriptor named <paramref name="name"/>; throws when there is none (a caller's bug: names come from checked config).</summary>
        public static SensorDescriptor Get(string name)
        {
            SensorDescriptor d = Find(name);
            if (d == null)
            {
                throw new ArgumentException("no sensor descriptor named '" + name + "' (known: " + Names() + ")");
            }

            return d;
        }

        /// <summary>Every name, comma-separated, in catalog order (the "known:" of refusals).</summary>
        public static string Names()
        {
            string s = string.Empty;
            for (int i = 0; i < All.Length; i++)
            {
                s += (i == 0 ? string.Empty : ", ") + All[i].Name;
            }

            return s;
        }

        /// <summary>Charge (µA·ms) the named sensors draw per sample, from their descriptors.</summary>
        public static long ChargePerSample(string[] sensors)
        {
            long total = 0;
            for (int i = 0; i < sensors.Length; i++)
            {
                total += Get(sensors[i]).ChargePerSample;
            }

            return total;
        }
    }
}
