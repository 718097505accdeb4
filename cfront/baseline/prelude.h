/*
 * cfront prelude: the kernel headers drivers/base/core.c includes, as far as device_shutdown() and
 * the functions it calls use them, written for shutdowncheck (not kernel text). Every #include of
 * the source resolves to an empty file; this prelude comes first instead. Each definition names the
 * kernel header it stands for.
 *
 * Three kinds of names:
 *  - types, fields and constants, declared as in the kernel (fields only as far as they are used);
 *  - primitives: functions declared here and defined nowhere. cfront lowers a call of one to one
 *    kernel operation (spin_lock, get_device, wait_for_completion, ...) or to nothing (printk-like
 *    calls, pm_runtime_*); a call of any other undefined function is an error;
 *  - helpers: macros and inline functions defined here in terms of primitives, lowered like the
 *    source's own functions.
 *
 * The struct fields the series added to headers (device_private::complete, ::shutdown_after,
 * ::shutdown, device::async_shutdown, device_driver::async_shutdown_enable, DEV_FLAG_ASYNC_SHUTDOWN)
 * are all declared here, so every version's code type-checks against one prelude; the patches'
 * hunks to these headers are "absorbed" (checked to add nothing the prelude lacks, not applied).
 *
 * The list head of devices_kset and a NULL device are one value to cfront: container_of() of the
 * list head is the NULL device. Kernel code never tests a list cursor against NULL, so no code can
 * tell them apart.
 */

/* include/linux/types.h */
typedef _Bool bool;
#define true 1
#define false 0
#define NULL ((void *)0)
typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef __SIZE_TYPE__ size_t;
typedef unsigned int gfp_t;

/* include/linux/compiler.h, include/linux/export.h, include/linux/moduleparam.h: no code */
#define __init
#define __must_check
#define READ_ONCE(x) (x)
#define EXPORT_SYMBOL_GPL(sym) extern int __cf_export_##sym
#define EXPORT_SYMBOL(sym) extern int __cf_export_##sym
#define module_param(name, type, perm) extern int __cf_param_##name
#define MODULE_PARM_DESC(name, desc) extern int __cf_param_desc_##name

/* include/linux/stddef.h, include/linux/container_of.h: a pointer to a member stands for its
 * container; the member is type-checked by the sizeof. */
void *__cf_container_of(const void *ptr, size_t member_size);
#define container_of(ptr, type, member) ((type *)__cf_container_of((ptr), sizeof(((type *)0)->member)))

/* include/linux/types.h: struct list_head */
struct list_head {
	struct list_head *next, *prev;
};

/* include/linux/list.h */
#define LIST_HEAD_INIT(name) { &(name), &(name) }
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)
#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_last_entry(ptr, type, member) list_entry((ptr)->prev, type, member)
#define list_prev_entry(pos, member) list_entry((pos)->member.prev, __typeof__(*(pos)), member)
#define list_entry_is_head(pos, head, member) (&(pos)->member == (head))
/* list_empty() reads head->next in the kernel; an empty list has both pointers at the head. The
 * prelude reads head->prev so that list_empty() and the list_last_entry() after it are one read of
 * the tail, as the model's ListLast step is. */
#define list_empty(head) ((head)->prev == (head))
/* list_for_each_entry_safe_reverse(): as the kernel's, except that the predecessor of the list head
 * is not read when the walk ends (the value is never used). */
#define list_for_each_entry_safe_reverse(pos, n, head, member)				\
	for (pos = list_last_entry(head, __typeof__(*pos), member),			\
		n = list_entry_is_head(pos, head, member) ? pos : list_prev_entry(pos, member); \
	     !list_entry_is_head(pos, head, member);					\
	     pos = n, n = list_entry_is_head(pos, head, member) ? pos : list_prev_entry(n, member))
void list_del_init(struct list_head *entry);				/* primitive */
void INIT_LIST_HEAD(struct list_head *list);				/* primitive */

/* include/linux/rculist.h, include/linux/srcu.h: a walk of dev->links.suppliers/consumers is one
 * step per link read (the next link, or the end of the list); the lockdep condition is not
 * evaluated. */
void *__cf_link_next(struct list_head *head, void *pos);		/* primitive */
#define list_for_each_entry_rcu(pos, head, member, cond...)			\
	for (pos = __cf_link_next(head, NULL); pos; pos = __cf_link_next(head, pos))
#define list_for_each_entry_srcu(pos, head, member, cond)			\
	list_for_each_entry_rcu(pos, head, member)

/* include/linux/spinlock_types.h, include/linux/spinlock.h */
typedef struct spinlock {
	int __cf_lock;
} spinlock_t;
void spin_lock(spinlock_t *lock);					/* primitive */
void spin_unlock(spinlock_t *lock);					/* primitive */

/* include/linux/mutex_types.h */
struct mutex {
	int __cf_owner;
};

/* include/linux/completion.h */
struct completion {
	unsigned int done;
};
void init_completion(struct completion *x);				/* primitive */
void complete_all(struct completion *x);				/* primitive */
void wait_for_completion(struct completion *x);			/* primitive */

/* include/linux/kobject.h */
struct kobject {
	const char *name;
	struct list_head entry;
	struct kobject *parent;
};
struct kset {
	struct list_head list;
	spinlock_t list_lock;
	struct kobject kobj;
};

/* include/linux/klist.h */
struct klist_node {
	void *n_klist;
};
struct klist {
	spinlock_t k_lock;
	struct list_head k_list;
};
struct klist_iter {
	struct klist *i_klist;
	struct klist_node *i_cur;
};
void klist_iter_init(struct klist *k, struct klist_iter *i);		/* primitive */
void klist_iter_exit(struct klist_iter *i);				/* primitive */

/* include/linux/async.h */
typedef u64 async_cookie_t;
typedef void (*async_func_t)(void *data, async_cookie_t cookie);
struct async_domain {
	struct list_head pending;
	unsigned registered:1;
};
#define ASYNC_DOMAIN(_name) \
	struct async_domain _name = { .pending = LIST_HEAD_INIT(_name.pending), .registered = 1 }
struct device;
bool async_schedule_dev_nocall(async_func_t func, struct device *dev);	/* primitive */
void async_synchronize_full(void);					/* primitive */
void async_synchronize_full_domain(struct async_domain *domain);	/* primitive */
void async_synchronize_cookie_domain(async_cookie_t cookie, struct async_domain *domain); /* primitive */
/* kernel/async.c async_schedule_node_domain(): when the entry cannot be allocated (GFP_ATOMIC) or
 * too many are pending, the function runs synchronously with the new cookie. The allocation, the
 * cookie and the queueing are one step (the primitive); it returns whether the entry was queued. */
bool __cf_async_queue_domain(async_func_t func, void *data, struct async_domain *domain,
			     async_cookie_t *cookie);				/* primitive */
static inline async_cookie_t async_schedule_domain(async_func_t func, void *data,
						   struct async_domain *domain)
{
	async_cookie_t cookie;

	if (!__cf_async_queue_domain(func, data, domain, &cookie))
		func(data, cookie);
	return cookie;
}

/* include/linux/device/bus.h */
struct bus_type {
	const char *name;
	void (*shutdown)(struct device *dev);
	bool need_parent_lock;
};

/* include/linux/device/driver.h (async_shutdown_enable: v5..v10) */
struct device_driver {
	const char *name;
	bool async_shutdown_enable;
	void (*shutdown)(struct device *dev);
};

/* include/linux/device/class.h */
struct class {
	const char *name;
	void (*shutdown_pre)(struct device *dev);
};

/* include/linux/device.h: struct dev_links_info, struct device_link (links.consumers holds the
 * links by s_node, links.suppliers by c_node) */
struct dev_links_info {
	struct list_head suppliers;
	struct list_head consumers;
};
struct device_link {
	struct device *supplier;
	struct list_head s_node;
	struct device *consumer;
	struct list_head c_node;
	u32 flags;
};
#define DL_FLAG_STATELESS		(1U << 0)
#define DL_FLAG_AUTOREMOVE_CONSUMER	(1U << 1)
#define DL_FLAG_PM_RUNTIME		(1U << 2)
#define DL_FLAG_RPM_ACTIVE		(1U << 3)
#define DL_FLAG_AUTOREMOVE_SUPPLIER	(1U << 4)
#define DL_FLAG_AUTOPROBE_CONSUMER	(1U << 5)
#define DL_FLAG_MANAGED			(1U << 6)
#define DL_FLAG_SYNC_STATE_ONLY		(1U << 7)
#define DL_FLAG_INFERRED		(1U << 8)
#define DL_FLAG_CYCLE			(1U << 9)

/* include/linux/device.h: struct device (async_shutdown: v11..v15; DEV_FLAG_ASYNC_SHUTDOWN and its
 * accessors: v16 on) */
struct device_private;
struct device {
	struct kobject kobj;
	struct device *parent;
	struct device_private *p;
	const struct bus_type *bus;
	struct device_driver *driver;
	const struct class *class;
	struct dev_links_info links;
	unsigned long flags;
	bool async_shutdown:1;
};
enum struct_device_flags {
	DEV_FLAG_ASYNC_SHUTDOWN = 10,
};
bool dev_async_shutdown(const struct device *dev);			/* primitive: read of the flag */
void dev_set_async_shutdown(struct device *dev);			/* primitive */
void dev_clear_async_shutdown(struct device *dev);			/* primitive */
static inline void device_enable_async_shutdown(struct device *dev)
{
	dev->async_shutdown = true;
}
static inline bool device_async_shutdown_enabled(struct device *dev)
{
	return !!dev->async_shutdown;
}
typedef int (*device_iter_t)(struct device *dev, void *data);
struct device *get_device(struct device *dev);				/* primitive */
void put_device(struct device *dev);					/* primitive */
void device_lock(struct device *dev);					/* primitive */
void device_unlock(struct device *dev);					/* primitive */
void device_lock_assert(struct device *dev);				/* primitive: no step */
void dev_info(const struct device *dev, const char *fmt, ...);		/* primitive: no step */
void dev_warn(const struct device *dev, const char *fmt, ...);		/* primitive: no step */
void dev_dbg(const struct device *dev, const char *fmt, ...);		/* primitive: no step */

/* drivers/base/base.h: struct device_private (shutdown_after: v5..v9; union shutdown_private
 * shutdown: v10; complete: v11 on) */
union shutdown_private {
	struct device *next;
	async_cookie_t after;
};
struct device_private {
	struct klist klist_children;
	struct klist_node knode_parent;
	struct list_head deferred_probe;
	struct device *device;
	async_cookie_t shutdown_after;
	union shutdown_private shutdown;
	struct completion complete;
	u8 dead:1;
};
/* drivers/base/base.h (v14 era): the consumer links of a device, read under device_links_read_lock() */
#define dev_for_each_link_to_consumer(__link, __dev) \
	list_for_each_entry_srcu(__link, &(__dev)->links.consumers, s_node, device_links_read_lock_held())
int device_links_read_lock(void);					/* primitive */
void device_links_read_unlock(int idx);					/* primitive */
int device_links_read_lock_held(void);					/* primitive: no step */
/* drivers/base/core.c (not in the excerpt): klist_next() on a parent's klist_children */
struct device *next_device(struct klist_iter *i);			/* primitive */

/* include/linux/pm_runtime.h: no step (the model has no runtime PM) */
void pm_runtime_get_noresume(struct device *dev);			/* primitive: no step */
void pm_runtime_barrier(struct device *dev);				/* primitive: no step */

/* include/linux/device.h, drivers/base/dd.c, include/linux/cpufreq.h: device_shutdown()'s
 * preamble; the model starts after it */
void wait_for_device_probe(void);					/* primitive: no step */
void device_block_probing(void);					/* primitive: no step */
void cpufreq_suspend(void);						/* primitive: no step */

/* include/linux/init.h: initcall_debug is off */
static const bool initcall_debug = false;
