using System;
using CityNode.Config;
using CityNode.Hal;
using CityNode.Sensors;
using CityNode.Telemetry;

namespace CityNode.Node
{
    /// <summary>
    /// The technician's bench check (docs/field-guide.md): every few seconds, each channel's value
    /// or its fault on the serial console, and the fault count; nothing is published or stored.
    /// </summary>
    public static class BenchCheck
    {
        public static void Run(Sampler sampler, IClock clock, int periodMs, int rounds)
        {
            SampleFrame frame = new SampleFrame(sampler.ChannelCount);
            sampler.Setup();
            for (int round = 0; rounds <= 0 || round < rounds; round++)
            {
                sampler.Wake();
                clock.Delay(sampler.WarmupMs());
                sampler.Sample(frame, clock.UnixSeconds);
                sampler.Sleep();
                for (int c = 0; c < frame.ChannelCount; c++)
                {
                    Console.WriteLine(Line(frame, c));
                }

                Console.WriteLine("sensor faults so far: " + sampler.FaultCount.ToString());
                clock.Delay(periodMs);
            }
        }

        /// <summary>"air_temperature = 21.37 Cel" or "pm2_5: fault".</summary>
        public static string Line(SampleFrame frame, int c)
        {
            ChannelSpec spec = frame.Channels[c];
            long micro;
            if (frame.Status[c] == ReadingStatus.Ok && frame.TryGetMicro(spec.Id, out micro))
            {
                return Channels.Name(spec.Id) + " = " + ValueParser.FormatMicro(micro) + " " + Units.Symbol(spec.Unit);
            }

            return Channels.Name(spec.Id) + ": " + ReadingStatus.Name(frame.Status[c]);
        }
    }
}
