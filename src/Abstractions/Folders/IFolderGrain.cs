namespace Stratum;

/// <summary>A folder, keyed by its id: its description, access bindings and quotas.</summary>
[Alias("Stratum.IFolderGrain")]
public interface IFolderGrain : IGrainWithStringKey
{
    /// <summary>Reads the folder; 404 when it does not exist or the caller may not read it.</summary>
    [Alias("Get")] Task<Folder> GetAsync(Caller caller);

    /// <summary>Changes the folder's settings (its recycle bin); needs the admin role.</summary>
    [Alias("Update")] Task<Operation> UpdateAsync(Caller caller, UpdateFolderRequest request, string? idempotencyKey);

    /// <summary>Deletes the folder; only when it holds nothing (400 code 9 otherwise).</summary>
    [Alias("Delete")] Task<Operation> DeleteAsync(Caller caller, string? idempotencyKey);

    /// <summary>The folder's access bindings; needs read access.</summary>
    [Alias("ListAccessBindings")] Task<IReadOnlyList<AccessBinding>> ListAccessBindingsAsync(Caller caller);

    /// <summary>Replaces the folder's access bindings; needs the admin role.</summary>
    [Changes.ImageWrite, Alias("SetAccessBindings")] Task<Operation> SetAccessBindingsAsync(Caller caller, IReadOnlyList<AccessBinding> bindings, string? idempotencyKey);

    /// <summary>Adds and removes access bindings; needs the admin role.</summary>
    [Changes.ImageWrite, Alias("UpdateAccessBindings")] Task<Operation> UpdateAccessBindingsAsync(Caller caller, IReadOnlyList<AccessBindingDelta> deltas, string? idempotencyKey);

    /// <summary>The folder's quotas with their usage; needs read access.</summary>
    [Alias("GetQuotas")] Task<IReadOnlyList<Quota>> GetQuotasAsync(Caller caller);

    /// <summary>Changes quota limits; platform admins only.</summary>
    [Alias("SetQuotas")] Task<IReadOnlyList<Quota>> SetQuotasAsync(Caller caller, IReadOnlyList<QuotaLimit> limits);
}

/// <summary>The entry point for folder creation and the folder list (a stateless worker).</summary>
[Alias("Stratum.IFolderDirectoryGrain")]
public interface IFolderDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>Creates a folder; platform admins only.</summary>
    [Alias("Create")] Task<Operation> CreateAsync(Caller caller, CreateFolderRequest request, string? idempotencyKey);

    /// <summary>The folders the caller can see.</summary>
    [Alias("List")] Task<Page<Folder>> ListAsync(Caller caller, ListQuery query);

    /// <summary>
    /// Makes sure the folder <c>standard-images</c> exists (the one folder id outside the generated
    /// pattern, home of public images); platform admins only; idempotent.
    /// </summary>
    [Alias("EnsureStandardImages")] Task<Folder> EnsureStandardImagesAsync(Caller caller);
}
