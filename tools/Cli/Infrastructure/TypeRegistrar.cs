namespace Stratum.Cli.Infrastructure;

/// <summary>The few services commands take (the environment) and Spectre's own, without a DI container.</summary>
internal sealed class TypeRegistrar : ITypeRegistrar
{
    private readonly Dictionary<Type, List<Func<object>>> _factories = [];

    public void Register(Type service, Type implementation) => Add(service, () => new Resolver(_factories).Construct(implementation)!);

    public void RegisterInstance(Type service, object implementation) => Add(service, () => implementation);

    public void RegisterLazy(Type service, Func<object> factory)
    {
        var lazy = new Lazy<object>(factory);
        Add(service, () => lazy.Value);
    }

    public ITypeResolver Build() => new Resolver(_factories);

    private void Add(Type service, Func<object> factory)
    {
        if (!_factories.TryGetValue(service, out var list))
        {
            _factories[service] = list = [];
        }
        list.Add(factory);
    }

    private sealed class Resolver(Dictionary<Type, List<Func<object>>> factories) : ITypeResolver
    {
        public object? Resolve(Type? type)
        {
            if (type is null)
            {
                return null;
            }
            if (factories.TryGetValue(type, out var registered))
            {
                return registered[^1]();
            }
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>))
            {
                var element = type.GetGenericArguments()[0];
                var all = factories.TryGetValue(element, out var list) ? list.Select(f => f()).ToArray() : [];
                var array = Array.CreateInstance(element, all.Length);
                Array.Copy(all, array, all.Length);
                return array;
            }
            return type.IsInterface || type.IsAbstract ? null : Construct(type);
        }

        /// <summary>Commands and settings: constructed with what is registered for their constructor's parameters.</summary>
        public object? Construct(Type type)
        {
            var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault();
            return constructor?.Invoke(constructor.GetParameters().Select(p => Resolve(p.ParameterType)).ToArray());
        }
    }
}
