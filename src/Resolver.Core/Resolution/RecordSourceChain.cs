using Resolver.Core.Storage;

namespace Resolver.Core.Resolution;

/// <summary>
/// The record stages of the resolution path, first to last, declared once in the composition root (as CoreDNS
/// declares its plugin chain in <c>plugin.cfg</c>). Each stage is an <see cref="IRecordSource"/> that takes the
/// next stage as its <c>IRecordSource next</c> constructor parameter; the last stage takes none.
/// </summary>
public sealed class RecordSourceChain
{
    private readonly List<Type> _stages = [];

    /// <summary>The stage types, first to last.</summary>
    public IReadOnlyList<Type> Stages => _stages;

    /// <summary>Appends <typeparamref name="TStage"/> after the stages declared so far.</summary>
    public RecordSourceChain Then<TStage>()
        where TStage : class, IRecordSource
    {
        _stages.Add(typeof(TStage));
        return this;
    }

    /// <summary>Puts <typeparamref name="TStage"/> just before <typeparamref name="TExisting"/>; throws when that stage is not declared.</summary>
    public RecordSourceChain InsertBefore<TExisting, TStage>()
        where TExisting : class, IRecordSource
        where TStage : class, IRecordSource
    {
        var at = _stages.IndexOf(typeof(TExisting));
        if (at < 0)
        {
            throw new InvalidOperationException($"the resolution chain has no stage {typeof(TExisting).Name} to insert {typeof(TStage).Name} before");
        }

        _stages.Insert(at, typeof(TStage));
        return this;
    }

    /// <summary>Builds the chain from the last stage to the first and returns the first.</summary>
    /// <param name="create">Makes a stage of the given type in front of <c>next</c> (null for the last stage).</param>
    public IRecordSource Build(Func<Type, IRecordSource?, IRecordSource> create)
    {
        if (_stages.Count == 0)
        {
            throw new InvalidOperationException("the resolution chain declares no stage");
        }

        IRecordSource? next = null;
        for (var i = _stages.Count - 1; i >= 0; i--)
        {
            next = create(_stages[i], next);
        }

        return next!;
    }

    /// <summary>The declared order, e.g. "CachedRecordSource → MissCoalescer → StoreRecordSource".</summary>
    public override string ToString() => string.Join(" → ", _stages.Select(s => s.Name));
}
