# multiprocessing.pool: the pool classes live in multiprocessing itself.
from multiprocessing import Pool, ThreadPool, ApplyResult, AsyncResult, MapResult, IMapIterator, RemoteTraceback, MaybeEncodingError, TimeoutError
