using Mono.Cecil;
using Mono.Cecil.Cil;
using Mono.Cecil.Rocks;

namespace CityNode.Host.DeviceCost;

/// <summary>
/// Rewrites the portable assemblies the ESP32 interprets (CityNode.Core, CityNode.Drivers and the
/// device program's glue, CityNode.DeviceProgram) so that every basic block adds its number of IL
/// instructions to one static counter (<c>CityNode.DeviceCost.IlCounter.Count</c>, a type added to
/// Core; the others reference it). The count is what nanoFramework's interpreter would execute:
/// every original instruction once per pass through its block (a block left by an exception still
/// counts whole — rare in the measured paths). The counter instructions themselves are not counted.
/// </summary>
public static class IlInstrumenter
{
    public const string CounterType = "CityNode.DeviceCost.IlCounter";

    /// <summary>Instrumented images of <paramref name="assemblies"/> (Core first) read from <paramref name="inDir"/>: assembly name → bytes.</summary>
    public static Dictionary<string, byte[]> Instrument(string inDir, params string[] assemblies)
    {
        var resolver = new DefaultAssemblyResolver();
        resolver.AddSearchDirectory(inDir);
        resolver.AddSearchDirectory(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory());
        var modules = new List<ModuleDefinition>();
        FieldReference? counter = null;
        FieldReference? allocs = null;
        foreach (string name in assemblies)
        {
            var module = ModuleDefinition.ReadModule(Path.Combine(inDir, name + ".dll"), new ReaderParameters { AssemblyResolver = resolver, InMemory = true });
            modules.Add(module);
            FieldReference field;
            FieldReference allocField;
            if (counter is null)
            {
                var type = new TypeDefinition("CityNode.DeviceCost", "IlCounter", TypeAttributes.Public | TypeAttributes.Abstract | TypeAttributes.Sealed | TypeAttributes.BeforeFieldInit, module.TypeSystem.Object);
                var def = new FieldDefinition("Count", FieldAttributes.Public | FieldAttributes.Static, module.TypeSystem.Int64);
                type.Fields.Add(def);
                var allocDef = new FieldDefinition("Allocations", FieldAttributes.Public | FieldAttributes.Static, module.TypeSystem.Int64);
                type.Fields.Add(allocDef);
                module.Types.Add(type);
                counter = def;
                allocs = allocDef;
                field = def;
                allocField = allocDef;
            }
            else
            {
                field = module.ImportReference(counter);
                allocField = module.ImportReference(allocs);
            }

            foreach (var type in module.GetTypes().ToList())
            {
                if (type.FullName == CounterType)
                {
                    continue;
                }

                foreach (var method in type.Methods)
                {
                    if (method.HasBody)
                    {
                        InstrumentMethod(method, field, allocField);
                    }
                }
            }
        }

        var images = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var module in modules)
        {
            using var image = new MemoryStream();
            module.Write(image);
            images[module.Assembly.Name.Name] = image.ToArray();
        }

        return images;
    }

    private static void InstrumentMethod(MethodDefinition method, FieldReference counter, FieldReference allocations)
    {
        var body = method.Body;
        body.SimplifyMacros();
        var code = body.Instructions.ToList();
        if (code.Count == 0)
        {
            return;
        }

        var leaders = new HashSet<Instruction> { code[0] };
        for (int i = 0; i < code.Count; i++)
        {
            var ins = code[i];
            if (ins.Operand is Instruction target)
            {
                leaders.Add(target);
            }
            else if (ins.Operand is Instruction[] targets)
            {
                foreach (var t in targets)
                {
                    leaders.Add(t);
                }
            }

            var flow = ins.OpCode.FlowControl;
            if ((flow is FlowControl.Branch or FlowControl.Cond_Branch or FlowControl.Return or FlowControl.Throw || ins.OpCode == OpCodes.Endfinally || ins.OpCode == OpCodes.Leave) && i + 1 < code.Count)
            {
                leaders.Add(code[i + 1]);
            }
        }

        foreach (var h in body.ExceptionHandlers)
        {
            leaders.Add(h.TryStart);
            leaders.Add(h.HandlerStart);
            if (h.TryEnd != null) { leaders.Add(h.TryEnd); }
            if (h.HandlerEnd != null) { leaders.Add(h.HandlerEnd); }
            if (h.FilterStart != null) { leaders.Add(h.FilterStart); }
        }

        // Block sizes, in original instructions (nops aside). A block of nops only still gets its counter (adds 0).
        var size = new Dictionary<Instruction, int>();
        Instruction? current = null;
        foreach (var ins in code)
        {
            if (leaders.Contains(ins))
            {
                current = ins;
                size[ins] = 0;
            }

            if (ins.OpCode != OpCodes.Nop)
            {
                size[current!]++; // Debug builds pad with nops (sequence points) that a Release build, as deployed, has not
            }
        }

        var il = body.GetILProcessor();
        var redirect = new Dictionary<Instruction, Instruction>();
        foreach (var (leader, n) in size)
        {
            var first = il.Create(OpCodes.Ldsfld, counter);
            il.InsertBefore(leader, first);
            il.InsertBefore(leader, il.Create(OpCodes.Ldc_I4, n));
            il.InsertBefore(leader, il.Create(OpCodes.Conv_I8));
            il.InsertBefore(leader, il.Create(OpCodes.Add));
            il.InsertBefore(leader, il.Create(OpCodes.Stsfld, counter));
            redirect[leader] = first;
        }

        // Heap allocations made by portable code (newobj of a class, newarr, box), counted apart
        // from the host's: the GC's per-thread counter sees the simulated chips' allocations too.
        foreach (var ins in code)
        {
            bool heap = ins.OpCode == OpCodes.Newarr || ins.OpCode == OpCodes.Box ||
                (ins.OpCode == OpCodes.Newobj && ins.Operand is MethodReference ctor && !(ctor.DeclaringType.Resolve()?.IsValueType ?? ctor.DeclaringType.IsValueType));
            if (heap)
            {
                var first = il.Create(OpCodes.Ldsfld, allocations);
                il.InsertBefore(ins, first);
                il.InsertBefore(ins, il.Create(OpCodes.Ldc_I4_1));
                il.InsertBefore(ins, il.Create(OpCodes.Conv_I8));
                il.InsertBefore(ins, il.Create(OpCodes.Add));
                il.InsertBefore(ins, il.Create(OpCodes.Stsfld, allocations));
                if (!redirect.ContainsKey(ins))
                {
                    redirect[ins] = first;
                }
            }
        }

        // Jumps and handler bounds land on the counter, not past it.
        foreach (var ins in body.Instructions)
        {
            if (ins.Operand is Instruction t && redirect.TryGetValue(t, out var r))
            {
                ins.Operand = r;
            }
            else if (ins.Operand is Instruction[] ts)
            {
                for (int k = 0; k < ts.Length; k++)
                {
                    if (redirect.TryGetValue(ts[k], out var rk))
                    {
                        ts[k] = rk;
                    }
                }
            }
        }

        foreach (var h in body.ExceptionHandlers)
        {
            h.TryStart = Map(h.TryStart);
            h.TryEnd = Map(h.TryEnd);
            h.HandlerStart = Map(h.HandlerStart);
            h.HandlerEnd = Map(h.HandlerEnd);
            h.FilterStart = Map(h.FilterStart);
        }

        body.OptimizeMacros();

        Instruction Map(Instruction x) => x != null && redirect.TryGetValue(x, out var m) ? m : x!;
    }
}
