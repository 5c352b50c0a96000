using System;
using System.Reflection;
using CityNode.Hal;
using CityNode.Ota;

namespace CityNode.Loader
{
    /// <summary>
    /// The stable loader's boot, the same on the chip and on the twin (docs/ota.md, loader and application):
    /// count the boot if the record runs an unconfirmed trial, load the active slot's release — or, at
    /// counter 0, the application installed by cable in the drive's app folder — with Assembly.Load, and
    /// start it. A release that does not load is rolled back and the chip restarts before the other one is
    /// loaded: nanoFramework links an assembly before it resolves it, and one that fails to resolve stays
    /// linked, so every later Load of that boot fails as well (nf-interpreter
    /// src/CLR/CorLib/corlib_native_System_Reflection_Assembly.cpp, Load: Link then ResolveAll;
    /// src/CLR/Core/TypeSystem.cpp, ResolveAll walks every assembly not yet resolved).
    /// This class and what it uses (LoaderSources.props) are all that is frozen by the cable: keep them small.
    /// </summary>
    public abstract class AppLoader
    {
        /// <summary>The application's one assembly: what a release ships (as NAME.pe) and the cable's list names.</summary>
        public const string ApplicationAssembly = "CityNode.Esp32";

        /// <summary>The application's entry: a public constructor taking the loader's version, then its public Run().</summary>
        public const string EntryType = ApplicationAssembly + ".NodeProgram";

        public const string EntryMethod = "Run";

        /// <summary>The application installed by cable (nanoff --filedeployment, docs/field-guide.md): its folder, and the list of its files in load order.</summary>
        public const string AppFolder = "app\\";

        public const string AppList = AppFolder + "files";

        public const int RetryMs = 10 * 60 * 1000;

        /// <summary>This loader's version: a release's minimum loader version (its manifest) is checked against it.</summary>
        public static readonly uint Version = OtaVersion.Pack(1, 1, 0);

        private string _what;
        private Type _entry;

        protected AppLoader(string drive)
        {
            Drive = drive;
        }

        public string Drive { get; private set; }

        public void Run()
        {
            if (LoadApplication())
            {
                Start(); // not returning on the chip: the application deep-sleeps or restarts
            }
        }

        /// <summary>
        /// Counts the boot, loads the record's release (or the cable's application) and returns true; when
        /// it does not load, rolls a release back and restarts, or sleeps to try the cable's application again, and returns false.
        /// </summary>
        public bool LoadApplication()
        {
            IFlashProvider flash = Flash();
            IFlash state = OtaRegions.OpenState(flash);
            SlotLoader slots = new SlotLoader(new BootRecord(state, 0), SlotLoader.DefaultMaxTrialBoots);
            int slot = slots.BeginBoot();
            uint counter = slots.Record.Counter;
            _what = counter == 0 ? "the application in " + Drive + AppFolder : "release " + OtaVersion.Format(slots.Record.Version) + " (slot " + (slot == 0 ? "A" : "B") + ")";
            bool loaded = counter == 0
                ? LoadCableApplication()
                : LoadSlot(SlotFiles.Of(state, OtaRegions.OpenSlot(flash, slot, OtaManifest.MaxChunks), slot));
            _entry = loaded ? FindType(EntryType) : null;
            if (_entry != null)
            {
                return true;
            }

            if (loaded)
            {
                Console.WriteLine("loader: " + _what + " has no " + EntryType);
            }

            if (counter > 0)
            {
                slots.LoadFailed(); // the record names the other slot, or the cable's application
                Console.WriteLine("loader: " + _what + " did not load; rolled back, restarting");
                Reboot();
                return false;
            }

            Console.WriteLine("loader: " + _what + " did not load; deep sleep for " + (RetryMs / 60000).ToString() + " min, then trying again (deploy it with nanoff --filedeployment, docs/field-guide.md)");
            SleepAndRetry(RetryMs);
            return false;
        }

        private bool LoadSlot(SlotFiles files)
        {
            if (files == null)
            {
                Console.WriteLine("loader: the slot has no intact manifest");
                return false;
            }

            for (int f = 0; f < files.Count; f++)
            {
                if (!LoadOne(files.Name(f), files.Read(f)))
                {
                    return false;
                }
            }

            return files.Count > 0;
        }

        private bool LoadCableApplication()
        {
            string list;
            try
            {
                list = ReadAllText(Drive + AppList);
            }
            catch (Exception e)
            {
                Console.WriteLine("loader: " + Drive + AppList + " cannot be read (" + e.Message + ")");
                return false;
            }

            int count = 0;
            string[] lines = list.Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                string name = lines[i].Trim();
                if (name.Length == 0 || name[0] == '#')
                {
                    continue;
                }

                byte[] pe = null;
                try
                {
                    pe = ReadAllBytes(Drive + AppFolder + name);
                }
                catch (Exception e)
                {
                    Console.WriteLine("loader: " + Drive + AppFolder + name + " (line " + (i + 1).ToString() + " of " + AppList + ") cannot be read (" + e.Message + ")");
                    return false;
                }

                if (!LoadOne(name, pe))
                {
                    return false;
                }

                count++;
            }

            return count > 0;
        }

        private bool LoadOne(string name, byte[] pe)
        {
            if (pe == null)
            {
                Console.WriteLine("loader: " + name + " cannot be read from flash");
                return false;
            }

            try
            {
                Load(pe);
                return true;
            }
            catch (Exception e)
            {
                Console.WriteLine("loader: " + name + " does not load: " + e.Message);
                return false;
            }
        }

        /// <summary>
        /// Starts the application: constructs <see cref="EntryType"/> with this loader's version and runs it.
        /// nanoFramework's ConstructorInfo.Invoke and MethodBase.Invoke run the callee on this thread in a new
        /// stack frame and let its exceptions out unwrapped (nf-interpreter src/CLR/CorLib/
        /// corlib_native_System_Reflection_MethodBase.cpp and ..._ConstructorInfo.cpp, Invoke: stack.MakeCall).
        /// An exception out of the application restarts the chip: a trial's boots are counted, so a release
        /// that keeps failing is rolled back.
        /// </summary>
        private void Start()
        {
            try
            {
                ConstructorInfo ctor = _entry.GetConstructor(new Type[] { typeof(uint) });
                MethodInfo run = _entry.GetMethod(EntryMethod);
                if (ctor == null || run == null)
                {
                    throw new InvalidOperationException(EntryType + " has no public constructor (uint) or no " + EntryMethod + "()");
                }

                object app = ctor.Invoke(new object[] { Version });
                Started(app);
                run.Invoke(app, null);
            }
            catch (Exception e)
            {
                Console.WriteLine("loader: " + _what + " stopped: " + e.Message + "; restarting");
            }

            Reboot();
        }

        /// <summary>The drive's sector regions (the same LittleFsSectors the application opens).</summary>
        protected abstract IFlashProvider Flash();

        protected abstract string ReadAllText(string path);

        protected abstract byte[] ReadAllBytes(string path);

        /// <summary>System.Reflection.Assembly.Load; throws when the assembly does not load.</summary>
        protected abstract void Load(byte[] pe);

        /// <summary>A type of the last assembly loaded (Assembly.GetType), or null.</summary>
        protected abstract Type FindType(string name);

        /// <summary>The application is constructed and about to run.</summary>
        protected abstract void Started(object app);

        /// <summary>Software reset: does not return on the chip.</summary>
        protected abstract void Reboot();

        protected abstract void SleepAndRetry(int ms);
    }
}
