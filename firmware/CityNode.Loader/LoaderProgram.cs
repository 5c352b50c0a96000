using System;
using System.IO;
using System.Reflection;
using CityNode.Esp32.Glue;
using CityNode.Hal;
using nanoFramework.Hardware.Esp32;

namespace CityNode.Loader
{
    /// <summary>
    /// The deployed image of a node that takes updates: <see cref="AppLoader"/> with the nanoFramework calls.
    /// On the host the same file runs on the nanoFramework twin (tools/CityNode.DeviceLoader), whose
    /// Assembly.Load stands for the host build of the release it is given.
    /// </summary>
    public sealed partial class LoaderProgram : AppLoader
    {
        private Assembly _last;

        public LoaderProgram()
            : base("I:\\")
        {
        }

        public static void Main() => new LoaderProgram().Run();

        protected override IFlashProvider Flash() => LittleFsSectors.On(Drive);

        protected override string ReadAllText(string path) => File.ReadAllText(path);

        protected override byte[] ReadAllBytes(string path) => File.ReadAllBytes(path);

        // Assembly.Load keeps the array: the interpreter runs the assembly from it, in the managed heap (docs/ota.md, RAM).
        protected override void Load(byte[] pe) => _last = Assembly.Load(pe);

        protected override Type FindType(string name) => _last == null ? null : _last.GetType(name);

        protected override void Started(object app) => Observe(app);

        /// <summary>Nothing on the chip (no body: the compiler drops the call); the host's build of this file tells the simulation which program runs (tools/CityNode.DeviceLoader).</summary>
        partial void Observe(object app);

        protected override void Reboot() => nanoFramework.Runtime.Native.Power.RebootDevice();

        protected override void SleepAndRetry(int ms)
        {
            Sleep.EnableWakeupByTimer(TimeSpan.FromMilliseconds(ms));
            Sleep.StartDeepSleep();
        }
    }
}
